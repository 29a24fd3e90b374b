#include "kupffer/core/decompressed_input.hpp"

#include <htslib/hfile.h>
#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "kupffer/core/errors.hpp"

namespace kupffer {

namespace {
constexpr std::size_t kInputBytes = 1 << 20;
constexpr std::uint8_t kGzip1 = 0x1f, kGzip2 = 0x8b;

const char* describe(int code) {
    switch (code) {
        case ISAL_INVALID_BLOCK: return "invalid deflate block";
        case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
        case ISAL_INVALID_LOOKBACK: return "invalid back-reference distance";
        case ISAL_INVALID_WRAPPER: return "invalid gzip header";
        case ISAL_UNSUPPORTED_METHOD: return "compression method is not deflate";
        case ISAL_INCORRECT_CHECKSUM: return "CRC-32 or length check failed";
        case ISAL_NEED_DICT: return "needs a preset dictionary";
        default: return "corrupt compressed data";
    }
}
}  // namespace

void internal::HFileCloser::operator()(hFILE* f) const noexcept {
    if (f && hclose(f) != 0) {
        // Nothing to report from a destructor: the data was read in full or an error was thrown.
    }
}

DecompressedInput::DecompressedInput(std::filesystem::path path) : path_(std::move(path)), input_(kInputBytes) {
    if (!std::filesystem::exists(path_)) throw IoError(path_.string(), "open", ENOENT);
    errno = 0;
    file_.reset(hopen(path_.c_str(), "r"));
    if (!file_) throw IoError(path_.string(), "open", errno ? errno : EIO);
    while (end_ < 2 && refill()) {
    }
    gzip_ = end_ >= 2 && input_[0] == kGzip1 && input_[1] == kGzip2;
    if (gzip_) state_ = std::make_unique<inflate_state>();
}

DecompressedInput::~DecompressedInput() = default;

void DecompressedInput::fail(const std::string& what) const {
    throw InputError(path_.string(), 0, what + " (gzip member " + std::to_string(members_) + ", near compressed byte " +
                                            std::to_string(offset_ + begin_) + ")");
}

bool DecompressedInput::refill() {
    if (eof_) return false;
    if (begin_ > 0) {
        std::memmove(input_.data(), input_.data() + begin_, end_ - begin_);
        offset_ += begin_;
        end_ -= begin_;
        begin_ = 0;
    }
    if (end_ == input_.size()) return true;
    errno = 0;
    const ssize_t n = hread(file_.get(), input_.data() + end_, input_.size() - end_);
    if (n < 0) throw IoError(path_.string(), "read", errno ? errno : EIO);
    if (n == 0) {
        eof_ = true;
        return false;
    }
    end_ += static_cast<std::size_t>(n);
    return true;
}

std::size_t DecompressedInput::read_plain(char* buffer, std::size_t length) {
    std::size_t produced = 0;
    while (produced < length) {
        if (begin_ == end_ && !refill()) break;
        const std::size_t n = std::min(length - produced, end_ - begin_);
        std::memcpy(buffer + produced, input_.data() + begin_, n);
        begin_ += n;
        produced += n;
    }
    return produced;
}

// Positions at the next member's header; false when the data ends cleanly. Zero bytes after the
// last member (padding some writers leave) are skipped; anything else is not gzip data.
bool DecompressedInput::start_member() {
    for (;;) {
        while (end_ - begin_ < 2 && refill()) {
        }
        if (begin_ == end_) return false;
        if (input_[begin_] == 0) {
            const auto first = input_.begin() + static_cast<std::ptrdiff_t>(begin_);
            const auto nonzero = std::find_if(first, input_.begin() + static_cast<std::ptrdiff_t>(end_), [](std::uint8_t b) { return b != 0; });
            begin_ += static_cast<std::size_t>(nonzero - first);
            continue;
        }
        if (end_ - begin_ < 2 || input_[begin_] != kGzip1 || input_[begin_ + 1] != kGzip2)
            fail("data after the end of the gzip stream is not gzip");
        isal_inflate_reset(state_.get());
        state_->crc_flag = ISAL_GZIP;
        ++members_;
        in_member_ = true;
        return true;
    }
}

namespace {

/// ISA-L's AVX2/AVX-512 inflate returns with the upper halves of the vector registers dirty, and
/// every later SSE instruction on that thread (kupffer is built for baseline x86-64: Eigen's
/// kernels in analyse, the count's loops) then carries a false dependency on them. Measured: count
/// and analyse ran 2-3x slower in a `kupffer run` process whose threads had inflated FASTQs
/// before. vzeroupper clears that state; it costs a cycle per call.
inline void clear_upper_vector_state() noexcept {
#if defined(__x86_64__)
    static const bool avx = __builtin_cpu_supports("avx");
    if (avx) asm volatile("vzeroupper" ::: "memory");
#endif
}

}  // namespace

std::size_t DecompressedInput::read(char* buffer, std::size_t length) {
    if (!gzip_) return read_plain(buffer, length);
    std::size_t produced = 0;
    while (produced < length) {
        if (!in_member_ && !start_member()) break;
        inflate_state& s = *state_;
        s.next_in = input_.data() + begin_;
        s.avail_in = static_cast<std::uint32_t>(end_ - begin_);
        s.next_out = reinterpret_cast<std::uint8_t*>(buffer + produced);
        s.avail_out = static_cast<std::uint32_t>(std::min<std::size_t>(length - produced, UINT32_MAX));
        const int rc = isal_inflate(&s);
        clear_upper_vector_state();
        const std::size_t used = static_cast<std::size_t>(s.next_in - (input_.data() + begin_));
        const std::size_t made = static_cast<std::size_t>(reinterpret_cast<char*>(s.next_out) - (buffer + produced));
        begin_ += used;
        produced += made;
        if (rc < 0) fail(std::string("corrupt gzip data: ") + describe(rc) + "; the file is damaged (check its md5sum against the source)");
        if (s.block_state == ISAL_BLOCK_FINISH) {
            in_member_ = false;
            continue;
        }
        if (produced == length) break;
        // The inflater wants more input: it has taken all it was given.
        if (!refill() && used == 0 && made == 0) fail("truncated gzip file: the data ends inside a compressed member");
    }
    return produced;
}

}  // namespace kupffer
