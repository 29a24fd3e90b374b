#pragma once
// The bytes of a plain or gzip-compressed file, streamed. Gzip input may hold any number of
// members (BGZF is one of those layouts); each member is inflated by ISA-L's igzip, about four
// times faster than zlib on FASTQ, and its CRC-32 and length are checked. The raw bytes come
// through HTSlib's hFILE layer.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

struct hFILE;
struct inflate_state;

namespace kupffer {

namespace internal {
struct HFileCloser {
    void operator()(hFILE* f) const noexcept;
};
}  // namespace internal

class DecompressedInput {
public:
    /// Opens `path`; throws IoError if it cannot. Gzip is recognised by its magic bytes.
    explicit DecompressedInput(std::filesystem::path path);
    ~DecompressedInput();
    DecompressedInput(const DecompressedInput&) = delete;
    DecompressedInput& operator=(const DecompressedInput&) = delete;

    /// Fills `buffer` with up to `length` bytes; fewer only at the end of the data, 0 after it.
    /// Throws InputError (line 0) on truncated or corrupt gzip data, naming the file and the
    /// compressed byte offset, and IoError if reading fails.
    std::size_t read(char* buffer, std::size_t length);

    bool compressed() const noexcept { return gzip_; }
    /// Bytes of the file consumed so far (compressed bytes for gzip): progress against its size.
    std::uint64_t file_position() const noexcept { return offset_ + begin_; }
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::size_t read_plain(char* buffer, std::size_t length);
    bool refill();  // more raw bytes into input_; false at end of file
    bool start_member();
    [[noreturn]] void fail(const std::string& what) const;

    std::filesystem::path path_;
    std::unique_ptr<hFILE, internal::HFileCloser> file_;
    std::unique_ptr<inflate_state> state_;
    std::vector<std::uint8_t> input_;
    std::size_t begin_ = 0, end_ = 0;  // unread raw bytes: input_[begin_, end_)
    std::uint64_t offset_ = 0;         // file offset of input_[0]
    bool eof_ = false;                 // no raw bytes left in the file
    bool gzip_ = false;
    bool in_member_ = false;
    std::uint64_t members_ = 0;
};

}  // namespace kupffer
