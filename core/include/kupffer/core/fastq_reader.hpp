#pragma once
// Sequential FASTQ reader over plain, gzip or BGZF files (DecompressedInput). Records are the
// four-line records sequencers write (Illumina, BCL Convert, bcl2fastq, cellranger mkfastq); they
// are cut from the decompressed bytes in place, without copying. Distinguishes end of file from
// truncated or malformed input (bad bases, quality of the wrong length, FASTA records, wrapped
// sequence lines, corrupt gzip), which raises InputError with the file and record number.
// Records are views into the reader's buffer; hold_buffer() keeps them valid for longer.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "kupffer/core/decompressed_input.hpp"

namespace kupffer {

/// One FASTQ record; views stay valid until the next call to FastqReader::next.
struct FastqRecord {
    std::string_view name;      ///< up to the first space or tab, without a /1 or /2 suffix
    std::string_view sequence;  ///< upper-case A, C, G, T, N
    std::string_view quality;   ///< Phred+33 text
};

class FastqReader {
public:
    explicit FastqReader(std::filesystem::path path);
    ~FastqReader();
    FastqReader(const FastqReader&) = delete;
    FastqReader& operator=(const FastqReader&) = delete;
    /// Reads the next record into `record`; false at end of file.
    bool next(FastqRecord& record);
    /// Keeps the buffer behind the record last returned alive in `holders` (appended unless it is
    /// already the last one there): the record's views then stay valid while `holders` does, after
    /// later calls to next() and after the reader is gone. Lets a batch of records travel without
    /// copying their bytes.
    void hold_buffer(std::vector<std::shared_ptr<const char[]>>& holders) const {
        if (holders.empty() || holders.back().get() != buffer_.get()) holders.emplace_back(buffer_);
    }
    /// 1-based number of the record last returned.
    std::uint64_t record_number() const noexcept { return records_; }
    /// 1-based line number of the first line (the header) of the record last returned.
    std::uint64_t record_line() const noexcept { return record_line_; }
    const std::filesystem::path& path() const noexcept { return path_; }
    /// Bytes of the file read so far (compressed bytes for gzip; a little ahead of the records
    /// returned): progress against the file's size.
    std::uint64_t file_position() const noexcept;

private:
    bool fill();  // more bytes after the unread ones; false at end of data
    /// Throws InputError naming the file, the line (`line_in_record` lines after the record's
    /// header) and the record.
    [[noreturn]] void fail(const std::string& what, int line_in_record = 0) const;

    std::filesystem::path path_;
    std::unique_ptr<DecompressedInput> input_;
    std::shared_ptr<char[]> buffer_;  // shared with holders of records read from it
    std::size_t capacity_ = 0;
    std::size_t begin_ = 0, end_ = 0;  // unread bytes: buffer_[begin_, end_)
    bool eof_ = false;
    std::uint64_t records_ = 0;
    std::uint64_t lines_ = 0;        // lines before the record being read
    std::uint64_t record_line_ = 0;  // of the record last returned
};

}  // namespace kupffer
