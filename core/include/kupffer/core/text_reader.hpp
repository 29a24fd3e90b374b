#pragma once
// Line reader for plain or gzip-compressed text (DecompressedInput detects which). Truncated or
// corrupt gzip input raises InputError naming the file and line.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kupffer/core/decompressed_input.hpp"

namespace kupffer {

class TextReader {
public:
    explicit TextReader(std::filesystem::path path);
    TextReader(const TextReader&) = delete;
    TextReader& operator=(const TextReader&) = delete;
    ~TextReader();

    /// Next line without its line terminator; false at end of file.
    bool next_line(std::string& line);
    /// 1-based number of the line last returned.
    std::uint64_t line_number() const noexcept { return line_number_; }
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    bool refill();
    std::filesystem::path path_;
    std::unique_ptr<DecompressedInput> input_;
    std::vector<char> buffer_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    bool eof_ = false;
    std::uint64_t line_number_ = 0;
};

/// All lines of a (possibly gzipped) text file.
std::vector<std::string> read_lines(const std::filesystem::path& path);

/// Splits on a single-character delimiter, keeping empty fields.
std::vector<std::string_view> split(std::string_view text, char delimiter);

}  // namespace kupffer
