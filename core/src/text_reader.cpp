#include "kupffer/core/text_reader.hpp"

#include <cstring>

#include "kupffer/core/errors.hpp"

namespace kupffer {

namespace {
constexpr std::size_t kBufferBytes = 1 << 18;
}

TextReader::TextReader(std::filesystem::path path)
    : path_(std::move(path)), input_(std::make_unique<DecompressedInput>(path_)), buffer_(kBufferBytes) {}

TextReader::~TextReader() = default;

bool TextReader::refill() {
    if (eof_) return false;
    // Move the unread tail to the front, grow if a single line fills the buffer.
    const std::size_t tail = end_ - begin_;
    if (begin_ > 0 && tail > 0) std::memmove(buffer_.data(), buffer_.data() + begin_, tail);
    begin_ = 0;
    end_ = tail;
    if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
    std::size_t n = 0;
    try {
        n = input_->read(buffer_.data() + end_, buffer_.size() - end_);
    } catch (const InputError& e) {
        throw InputError(path_.string(), line_number_ + 1, e.message());
    }
    if (n == 0) {
        eof_ = true;
        return tail > 0;
    }
    end_ += n;
    return true;
}

bool TextReader::next_line(std::string& line) {
    for (;;) {
        const char* start = buffer_.data() + begin_;
        const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
        if (newline) {
            std::size_t len = static_cast<std::size_t>(newline - start);
            const std::size_t consumed = len + 1;
            if (len > 0 && start[len - 1] == '\r') --len;
            line.assign(start, len);
            begin_ += consumed;
            ++line_number_;
            return true;
        }
        if (!refill()) {
            if (begin_ == end_) return false;
            // Last line without a newline.
            std::size_t len = end_ - begin_;
            if (len > 0 && buffer_[begin_ + len - 1] == '\r') --len;
            line.assign(buffer_.data() + begin_, len);
            begin_ = end_;
            ++line_number_;
            return true;
        }
    }
}

std::vector<std::string> read_lines(const std::filesystem::path& path) {
    TextReader reader(path);
    std::vector<std::string> lines;
    std::string line;
    while (reader.next_line(line)) lines.push_back(line);
    return lines;
}

std::vector<std::string_view> split(std::string_view text, char delimiter) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    for (;;) {
        const std::size_t pos = text.find(delimiter, start);
        if (pos == std::string_view::npos) {
            fields.push_back(text.substr(start));
            return fields;
        }
        fields.push_back(text.substr(start, pos - start));
        start = pos + 1;
    }
}

}  // namespace kupffer
