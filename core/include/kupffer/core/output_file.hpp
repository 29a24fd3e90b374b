#pragma once
// Outputs that never look complete unless they are: every file is written under a temporary name
// and renamed into place by commit(); an uncommitted file is removed when its writer is destroyed.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace kupffer {

/// The temporaries this process has open (".tmp" files, ".partial" folders), so that a signal
/// (SIGTERM from scancel or Nextflow, Ctrl-C) can remove them before the process exits: the writers
/// below register theirs while they live. remove_temporaries() is for the one thread that handles
/// the signal; it never throws.
void register_temporary(const std::filesystem::path& path);
void unregister_temporary(const std::filesystem::path& path);
void remove_temporaries() noexcept;

/// A temporary folder (registered, see above) removed with its contents when destroyed, unless
/// release()d once its contents have been moved into place.
class TemporaryFolder {
public:
    explicit TemporaryFolder(std::filesystem::path path);
    TemporaryFolder(const TemporaryFolder&) = delete;
    TemporaryFolder& operator=(const TemporaryFolder&) = delete;
    ~TemporaryFolder();
    const std::filesystem::path& path() const noexcept { return path_; }
    void release() noexcept;

private:
    std::filesystem::path path_;
    bool released_ = false;
};

/// A binary file written to "<path>.tmp" and renamed to <path> by commit().
class AtomicFile {
public:
    explicit AtomicFile(std::filesystem::path path);
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile();

    void write(std::string_view bytes);
    /// Overwrites bytes written earlier at `offset` (a count in a header known only at the end).
    void write_at(std::uint64_t offset, std::string_view bytes);
    /// Flushes, closes and renames into place; throws IoError (e.g. on a full disk).
    void commit();
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
    std::filesystem::path tmp_path_;
    std::FILE* file_ = nullptr;
};

/// Compresses bytes into one complete gzip member (libdeflate). Concatenated members form a valid
/// gzip file, which lets callers compress chunks in parallel and write them in order.
std::string gzip_compress(std::string_view bytes, int level = 4);

/// A .gz file written atomically: text is buffered and compressed in members of ~1 MiB.
class GzipWriter {
public:
    explicit GzipWriter(std::filesystem::path path, int level = 4);
    void write(std::string_view text);
    /// Appends an already-compressed gzip member (see gzip_compress); flushes buffered text first.
    void write_member(std::string_view member);
    void commit();

private:
    void flush_buffer();
    AtomicFile file_;
    int level_;
    std::string buffer_;
};

/// Writes text (plain or, if the name ends in .gz, gzip) atomically.
void write_text_file(const std::filesystem::path& path, std::string_view text);

/// What is wrong with a sample name that becomes a folder name (empty, "." or "..", a '/' or '\\',
/// a control character, or a leading '-' or '.'), or nothing when it is fine. Keeps every sample's
/// output inside its stage's folder.
std::optional<std::string> sample_name_problem(std::string_view name);

/// Whether a folder holds kupffer's own output (a kupffer_<stage>.json manifest, or an index,
/// mapped sample, analysis or simulated study of an earlier version): only those are overwritten.
bool is_kupffer_output(const std::filesystem::path& folder);

/// An output directory built under "<path>.partial" and renamed into place by commit(). An
/// uncommitted one (an error) is removed when this is destroyed; only a killed process can leave a
/// ".partial" folder, which is obviously incomplete and removed by the next run.
class StagingDirectory {
public:
    /// Throws OptionError if <path> exists and is not empty, unless overwrite is true and it is
    /// kupffer's own output (is_kupffer_output): a user's files are never deleted.
    StagingDirectory(std::filesystem::path path, bool overwrite);
    StagingDirectory(const StagingDirectory&) = delete;
    StagingDirectory& operator=(const StagingDirectory&) = delete;
    ~StagingDirectory();

    /// Where to write now.
    const std::filesystem::path& staging() const noexcept { return staging_->path(); }
    void commit();

private:
    std::filesystem::path final_;
    std::unique_ptr<TemporaryFolder> staging_;
};

/// A folder for outputs, created with its missing parents. If this made it and it is still empty
/// when destroyed without keep() (the run failed before writing anything), it is removed again, so
/// a failed run leaves no empty output folder that could be taken for a result.
class CreatedFolder {
public:
    explicit CreatedFolder(std::filesystem::path path);
    CreatedFolder(const CreatedFolder&) = delete;
    CreatedFolder& operator=(const CreatedFolder&) = delete;
    ~CreatedFolder();
    void keep() noexcept { created_ = false; }

private:
    std::filesystem::path path_;
    bool created_ = false;
};

}  // namespace kupffer
