#include "kupffer/core/fastq_reader.hpp"

#include <array>
#include <cstring>
#include <string>

#include "kupffer/core/errors.hpp"

namespace kupffer {

namespace {

constexpr std::size_t kBufferBytes = 1 << 20;

// Base code: 0 = A/C/G/T/N as is, 1 = lower case (upper-cased in place), 2 = invalid.
constexpr std::array<std::uint8_t, 256> make_base_classes() {
    std::array<std::uint8_t, 256> c{};
    for (auto& v : c) v = 2;
    for (char b : {'A', 'C', 'G', 'T', 'N'}) c[static_cast<unsigned char>(b)] = 0;
    for (char b : {'a', 'c', 'g', 't', 'n'}) c[static_cast<unsigned char>(b)] = 1;
    return c;
}
constexpr auto kBaseClass = make_base_classes();

std::string_view trim_cr(std::string_view line) {
    return !line.empty() && line.back() == '\r' ? line.substr(0, line.size() - 1) : line;
}

}  // namespace

FastqReader::FastqReader(std::filesystem::path path)
    : path_(std::move(path)),
      input_(std::make_unique<DecompressedInput>(path_)),
      buffer_(std::make_shared_for_overwrite<char[]>(kBufferBytes)),
      capacity_(kBufferBytes) {}

FastqReader::~FastqReader() = default;

void FastqReader::fail(const std::string& what, int line_in_record) const {
    const std::uint64_t n = records_ + 1;
    throw InputError(path_.string(), lines_ + 1 + static_cast<std::uint64_t>(line_in_record), "record " + std::to_string(n) + ": " + what);
}

bool FastqReader::fill() {
    if (eof_) return false;
    const std::size_t unread = end_ - begin_;
    // Records handed out stay valid while someone holds their buffer (hold_buffer): then the
    // unread bytes move to a fresh buffer instead of to the front of this one. A record longer
    // than the buffer doubles it.
    const std::size_t capacity = unread == capacity_ ? 2 * capacity_ : capacity_;
    if (buffer_.use_count() > 1 || capacity != capacity_) {
        auto fresh = std::make_shared_for_overwrite<char[]>(capacity);
        std::memcpy(fresh.get(), buffer_.get() + begin_, unread);
        buffer_ = std::move(fresh);
        capacity_ = capacity;
    } else if (begin_ > 0) {
        std::memmove(buffer_.get(), buffer_.get() + begin_, unread);
    }
    begin_ = 0;
    end_ = unread;
    std::size_t n = 0;
    try {
        n = input_->read(buffer_.get() + end_, capacity_ - end_);
    } catch (const InputError& e) {
        // Decompression reads ahead of the records: name the records read intact, not a line.
        throw InputError(path_.string(), 0, "after record " + std::to_string(records_) + ": " + e.message());
    }
    if (n == 0) {
        eof_ = true;
        return false;
    }
    end_ += n;
    return true;
}

bool FastqReader::next(FastqRecord& record) {
    // Find the four lines of the next record within the unread bytes, reading more as needed;
    // line offsets are relative to begin_, which fill() may move.
    std::array<std::size_t, 4> line_end{};
    std::size_t lines = 0, scanned = 0;
    for (;;) {
        // Blank lines between records are skipped.
        if (lines == 0) {
            for (; begin_ < end_ && (buffer_[begin_] == '\n' || buffer_[begin_] == '\r'); ++begin_) lines_ += buffer_[begin_] == '\n';
            scanned = 0;
        }
        while (lines < 4) {
            const char* from = buffer_.get() + begin_ + scanned;
            const auto* nl = static_cast<const char*>(std::memchr(from, '\n', end_ - begin_ - scanned));
            if (!nl) break;
            line_end[lines++] = static_cast<std::size_t>(nl - (buffer_.get() + begin_));
            scanned = line_end[lines - 1] + 1;
        }
        if (lines == 4) break;
        if (!fill()) {
            if (begin_ + scanned < end_) line_end[lines++] = end_ - begin_, scanned = end_ - begin_;  // no final newline
            if (lines == 0) return false;
            if (lines == 4) break;
            if (buffer_[begin_] == '>') fail("is FASTA, not FASTQ");
            fail("truncated record (" + std::to_string(lines) + " of its 4 lines)");
        }
    }
    char* base = buffer_.get() + begin_;
    const std::string_view header = trim_cr({base, line_end[0]});
    std::string_view seq = trim_cr({base + line_end[0] + 1, line_end[1] - line_end[0] - 1});
    const std::string_view plus = trim_cr({base + line_end[1] + 1, line_end[2] - line_end[1] - 1});
    const std::string_view qual = trim_cr({base + line_end[2] + 1, line_end[3] - line_end[2] - 1});
    if (header.empty() || header[0] != '@') {
        if (!header.empty() && header[0] == '>') fail("is FASTA, not FASTQ");
        fail("header line does not start with '@'");
    }
    if (plus.empty() || plus[0] != '+')
        fail(plus.empty() || plus[0] == '@' ? "no '+' line after the sequence"
                                            : "no '+' line after the sequence (wrapped multi-line FASTQ is not supported)",
             2);
    if (qual.size() != seq.size())
        fail("quality and sequence lengths differ (" + std::to_string(qual.size()) + " vs " + std::to_string(seq.size()) + ")", 3);
    char* s = base + line_end[0] + 1;
    // Upper-case A/C/G/T/N only, almost always: one pass of byte compares, then the slow path
    // only for reads that need upper-casing or hold a bad base. Written as byte masks so the
    // compiler vectorises it (a chain of bool compares becomes a scalar bit test per base).
    std::uint8_t plain = 1;
    for (std::size_t i = 0; i < seq.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        plain &= static_cast<std::uint8_t>(-(c == 'A')) | static_cast<std::uint8_t>(-(c == 'C')) |
                 static_cast<std::uint8_t>(-(c == 'G')) | static_cast<std::uint8_t>(-(c == 'T')) |
                 static_cast<std::uint8_t>(-(c == 'N'));
    }
    if (!plain)
        for (std::size_t i = 0; i < seq.size(); ++i) {
            const std::uint8_t c = kBaseClass[static_cast<unsigned char>(s[i])];
            if (c == 1) s[i] = static_cast<char>(s[i] - 32);
            else if (c == 2) fail("invalid base '" + std::string(1, s[i]) + "' (only A, C, G, T, N)", 1);
        }
    std::string_view name = header.substr(1);
    std::size_t cut = 0;  // not find_first_of(" \t"): that calls memchr for every character
    while (cut < name.size() && name[cut] != ' ' && name[cut] != '\t') ++cut;
    name = name.substr(0, cut);
    if (name.size() > 2 && name[name.size() - 2] == '/' && (name.back() == '1' || name.back() == '2')) name.remove_suffix(2);
    record.name = name;
    record.sequence = seq;
    record.quality = qual;
    begin_ += std::min(line_end[3] + 1, end_ - begin_);
    ++records_;
    record_line_ = lines_ + 1;
    lines_ += 4;
    return true;
}

std::uint64_t FastqReader::file_position() const noexcept { return input_->file_position(); }

}  // namespace kupffer
