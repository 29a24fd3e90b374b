#pragma once
// 2-bit DNA codec: A=0, C=1, G=2, T=3. Sequences of up to 32 bases pack into one uint64_t with the
// first base in the most significant position, so packed values sort like the strings.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kupffer::dna {

inline constexpr std::uint8_t kInvalid = 4;

namespace internal {
constexpr std::array<std::uint8_t, 256> make_code_table() {
    std::array<std::uint8_t, 256> table{};
    for (auto& v : table) v = kInvalid;
    table['A'] = table['a'] = 0;
    table['C'] = table['c'] = 1;
    table['G'] = table['g'] = 2;
    table['T'] = table['t'] = 3;
    return table;
}
inline constexpr std::array<std::uint8_t, 256> kCode = make_code_table();
inline constexpr char kBases[4] = {'A', 'C', 'G', 'T'};
}  // namespace internal

/// 2-bit code of a base, or kInvalid for anything but ACGT (case-insensitive).
constexpr std::uint8_t encode_base(char base) noexcept { return internal::kCode[static_cast<unsigned char>(base)]; }
constexpr char decode_base(std::uint8_t code) noexcept { return internal::kBases[code & 3U]; }
constexpr char complement(char base) noexcept {
    switch (base) {
        case 'A': return 'T';
        case 'C': return 'G';
        case 'G': return 'C';
        case 'T': return 'A';
        case 'a': return 't';
        case 'c': return 'g';
        case 'g': return 'c';
        case 't': return 'a';
        default: return 'N';
    }
}

/// Packs up to 32 bases; std::nullopt if seq is longer than 32 or holds a non-ACGT base.
std::optional<std::uint64_t> pack(std::string_view seq) noexcept;
/// Unpacks a value produced by pack() for a sequence of the given length.
std::string unpack(std::uint64_t packed, std::size_t length);
/// Reverse complement of a packed sequence of the given length.
std::uint64_t reverse_complement(std::uint64_t packed, std::size_t length) noexcept;
/// Reverse complement of a text sequence (non-ACGT bases become N).
std::string reverse_complement(std::string_view seq);
/// Number of differing bases between two packed sequences of equal length.
int hamming(std::uint64_t a, std::uint64_t b) noexcept;

/// Calls fn(kmer, position, run) for every k-mer (k <= 31) of `seq` made only of A/C/G/T, packed
/// forward; `position` is its first base, `run` the number of consecutive valid bases ending at
/// its last base (run == k for the first k-mer after a non-ACGT base).
template <class Fn>
void for_each_kmer(std::string_view seq, std::uint32_t k, Fn&& fn) {
    const std::uint64_t mask = (std::uint64_t{1} << (2 * k)) - 1;
    std::uint64_t kmer = 0;
    std::uint32_t run = 0;
    for (std::uint32_t i = 0; i < seq.size(); ++i) {
        const std::uint8_t code = encode_base(seq[i]);
        if (code == kInvalid) {
            run = 0;
            continue;
        }
        kmer = ((kmer << 2) | code) & mask;
        if (++run >= k) fn(kmer, i + 1 - k, run);
    }
}

}  // namespace kupffer::dna
