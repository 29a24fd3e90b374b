#include "kupffer/core/dna.hpp"

#include <bit>

namespace kupffer::dna {

std::optional<std::uint64_t> pack(std::string_view seq) noexcept {
    if (seq.size() > 32) return std::nullopt;
    std::uint64_t packed = 0;
    for (char base : seq) {
        const std::uint8_t code = encode_base(base);
        if (code == kInvalid) return std::nullopt;
        packed = (packed << 2) | code;
    }
    return packed;
}

std::string unpack(std::uint64_t packed, std::size_t length) {
    std::string seq(length, 'A');
    for (std::size_t i = 0; i < length; ++i) {
        seq[length - 1 - i] = decode_base(static_cast<std::uint8_t>(packed & 3U));
        packed >>= 2;
    }
    return seq;
}

std::uint64_t reverse_complement(std::uint64_t packed, std::size_t length) noexcept {
    std::uint64_t out = 0;
    for (std::size_t i = 0; i < length; ++i) {
        out = (out << 2) | (3U - (packed & 3U));
        packed >>= 2;
    }
    return out;
}

std::string reverse_complement(std::string_view seq) {
    std::string out(seq.size(), 'N');
    for (std::size_t i = 0; i < seq.size(); ++i) out[seq.size() - 1 - i] = complement(seq[i]);
    return out;
}

int hamming(std::uint64_t a, std::uint64_t b) noexcept {
    const std::uint64_t diff = a ^ b;
    // A base differs if either of its two bits differs.
    const std::uint64_t per_base = (diff | (diff >> 1)) & 0x5555555555555555ULL;
    return std::popcount(per_base);
}

}  // namespace kupffer::dna
