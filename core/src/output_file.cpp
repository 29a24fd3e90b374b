#include "kupffer/core/output_file.hpp"

#include <libdeflate.h>

#include <cerrno>
#include <memory>
#include <mutex>
#include <set>
#include <new>
#include <system_error>
#include <unistd.h>

#include "kupffer/core/errors.hpp"

namespace kupffer {

namespace fs = std::filesystem;

namespace {
std::mutex temporaries_mutex;
std::set<fs::path>& temporaries() {
    static std::set<fs::path> paths;
    return paths;
}
}  // namespace

void register_temporary(const fs::path& path) {
    std::lock_guard lock(temporaries_mutex);
    temporaries().insert(path);
}

void unregister_temporary(const fs::path& path) {
    std::lock_guard lock(temporaries_mutex);
    temporaries().erase(path);
}

void remove_temporaries() noexcept {
    std::lock_guard lock(temporaries_mutex);
    for (const auto& path : temporaries()) {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
}

TemporaryFolder::TemporaryFolder(fs::path path) : path_(std::move(path)) {
    register_temporary(path_);
    std::error_code ec;
    fs::remove_all(path_, ec);
    fs::create_directories(path_, ec);
    if (ec) {
        unregister_temporary(path_);
        throw IoError(path_.string(), "create folder", ec.value());
    }
}

TemporaryFolder::~TemporaryFolder() {
    if (released_) return;
    std::error_code ignored;
    fs::remove_all(path_, ignored);
    unregister_temporary(path_);
}

void TemporaryFolder::release() noexcept {
    released_ = true;
    unregister_temporary(path_);
}

AtomicFile::AtomicFile(fs::path path) : path_(std::move(path)), tmp_path_(path_.string() + ".tmp") {
    register_temporary(tmp_path_);
    file_ = std::fopen(tmp_path_.c_str(), "wb");
    if (!file_) {
        const int err = errno;
        unregister_temporary(tmp_path_);
        throw IoError(path_.string(), "create", err);
    }
}

AtomicFile::~AtomicFile() {
    if (file_) {
        std::fclose(file_);
        std::error_code ignored;
        fs::remove(tmp_path_, ignored);
    }
    unregister_temporary(tmp_path_);
}

void AtomicFile::write(std::string_view bytes) {
    if (bytes.empty()) return;
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) throw IoError(path_.string(), "write", errno);
}

void AtomicFile::write_at(std::uint64_t offset, std::string_view bytes) {
    if (std::fflush(file_) != 0) throw IoError(path_.string(), "write", errno);
    if (::pwrite(fileno(file_), bytes.data(), bytes.size(), static_cast<off_t>(offset)) != static_cast<ssize_t>(bytes.size()))
        throw IoError(path_.string(), "write", errno);
}

void AtomicFile::commit() {
    if (std::fflush(file_) != 0) throw IoError(path_.string(), "write", errno);
    std::FILE* f = file_;
    file_ = nullptr;
    if (std::fclose(f) != 0) {
        const int err = errno;
        std::error_code ignored;
        fs::remove(tmp_path_, ignored);
        throw IoError(path_.string(), "write", err);
    }
    std::error_code ec;
    fs::rename(tmp_path_, path_, ec);
    if (ec) {
        fs::remove(tmp_path_, ec);
        throw IoError(path_.string(), "rename into place", ec.value());
    }
}

namespace {
struct CompressorDeleter {
    void operator()(libdeflate_compressor* c) const noexcept { libdeflate_free_compressor(c); }
};
}  // namespace

std::string gzip_compress(std::string_view bytes, int level) {
    // One compressor per thread and level: allocation is costly and compressors are not shareable.
    thread_local std::unique_ptr<libdeflate_compressor, CompressorDeleter> compressor;
    thread_local int compressor_level = -1;
    if (!compressor || compressor_level != level) {
        compressor.reset(libdeflate_alloc_compressor(level));
        if (!compressor) throw std::bad_alloc();
        compressor_level = level;
    }
    std::string out(libdeflate_gzip_compress_bound(compressor.get(), bytes.size()), '\0');
    const std::size_t n = libdeflate_gzip_compress(compressor.get(), bytes.data(), bytes.size(), out.data(), out.size());
    if (n == 0) throw Error("gzip compression failed");
    out.resize(n);
    return out;
}

namespace {
constexpr std::size_t kMemberBytes = 1 << 20;
}

GzipWriter::GzipWriter(fs::path path, int level) : file_(std::move(path)), level_(level) {
    buffer_.reserve(kMemberBytes + 4096);
}

void GzipWriter::write(std::string_view text) {
    buffer_.append(text);
    if (buffer_.size() >= kMemberBytes) flush_buffer();
}

void GzipWriter::write_member(std::string_view member) {
    flush_buffer();
    file_.write(member);
}

void GzipWriter::flush_buffer() {
    if (buffer_.empty()) return;
    file_.write(gzip_compress(buffer_, level_));
    buffer_.clear();
}

void GzipWriter::commit() {
    flush_buffer();
    file_.commit();
}

void write_text_file(const fs::path& path, std::string_view text) {
    if (path.extension() == ".gz") {
        GzipWriter out(path);
        out.write(text);
        out.commit();
    } else {
        AtomicFile out(path);
        out.write(text);
        out.commit();
    }
}

std::optional<std::string> sample_name_problem(std::string_view name) {
    if (name.empty()) return "a sample name cannot be empty";
    if (name == "." || name == "..") return "a sample name cannot be '.' or '..'";
    for (char c : name) {
        if (c == '/' || c == '\\') return "a sample name cannot contain '/' or '\\' (it names a folder inside the output)";
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "a sample name cannot contain control characters";
    }
    if (name.front() == '-' || name.front() == '.') return "a sample name cannot start with '-' or '.'";
    return std::nullopt;
}

bool is_kupffer_output(const fs::path& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) return false;
    for (const auto& e : fs::directory_iterator(folder, ec)) {
        const auto name = e.path().filename().string();
        if (name.rfind("kupffer_", 0) == 0 && e.path().extension() == ".json") return true;
    }
    auto has = [&](const char* name) { return fs::exists(folder / name, ec); };
    // Outputs of kupffer versions before manifests: an index, a mapped sample, an analysis, a simulated study.
    return (has("index.json") && has("kmers.bin")) || has("records.kpf") || has("analysis_summary.json") ||
           (has("truth") && has("samplesheet.csv") && has("options.json"));
}

StagingDirectory::StagingDirectory(fs::path path, bool overwrite) : final_(std::move(path)) {
    if (fs::exists(final_) && !(fs::is_directory(final_) && fs::is_empty(final_))) {
        if (!fs::is_directory(final_)) throw OptionError(final_.string() + ": exists and is not a folder");
        if (!overwrite)
            throw OptionError(final_.string() +
                              ": output folder exists and is not empty (choose another, or --overwrite to replace kupffer's earlier output)");
        if (!is_kupffer_output(final_))
            throw OptionError(final_.string() + ": holds files kupffer did not write; overwriting replaces only kupffer's own outputs "
                                                "(choose another folder)");
    }
    staging_ = std::make_unique<TemporaryFolder>(final_.string() + ".partial");
}

StagingDirectory::~StagingDirectory() = default;

void StagingDirectory::commit() {
    std::error_code ec;
    if (fs::exists(final_)) {
        fs::remove_all(final_, ec);
        if (ec) throw IoError(final_.string(), "replace folder", ec.value());
    }
    fs::rename(staging_->path(), final_, ec);
    if (ec) throw IoError(final_.string(), "rename folder into place", ec.value());
    staging_->release();
}

CreatedFolder::CreatedFolder(fs::path path) : path_(std::move(path)) {
    std::error_code ec;
    if (fs::exists(path_, ec)) {
        if (!fs::is_directory(path_)) throw OptionError(path_.string() + ": is a file, not a folder (--out names the output folder)");
        return;
    }
    created_ = fs::create_directories(path_, ec);
    if (ec) throw IoError(path_.string(), "create folder", ec.value());
}

CreatedFolder::~CreatedFolder() {
    std::error_code ec;
    if (created_ && fs::is_empty(path_, ec)) fs::remove(path_, ec);
}

}  // namespace kupffer
