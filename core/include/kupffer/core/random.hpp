#pragma once
// Seeded, splittable random numbers. There is no global RNG: every consumer derives its own stream
// from (seed, stream ids), so work split into fixed chunks draws the same numbers on any thread.
#include <cstdint>
#include <limits>

namespace kupffer {

/// MurmurHash3's 64-bit finaliser: a bijection whose every output bit depends on every input bit;
/// hashes k-mers into buckets and hash-function levels, and makes the index's fingerprint.
constexpr std::uint64_t fmix64(std::uint64_t x) noexcept {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

/// SplitMix64 step: a good 64-bit mixer, used to seed and to derive streams.
constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/// xoshiro256** (Blackman & Vigna). Satisfies UniformRandomBitGenerator, so <random>
/// distributions work with it.
__extension__ typedef unsigned __int128 uint128_t;

class Rng {
public:
    using result_type = std::uint64_t;

    /// A stream identified by a seed and up to three stream ids (e.g. sample, barcode, chunk).
    explicit Rng(std::uint64_t seed, std::uint64_t a = 0, std::uint64_t b = 0, std::uint64_t c = 0) noexcept {
        std::uint64_t mix = seed;
        mix = splitmix64(mix) ^ (a * 0xD1B54A32D192ED03ULL);
        mix = splitmix64(mix) ^ (b * 0xABC98388FB8FAC03ULL);
        mix = splitmix64(mix) ^ (c * 0x8CB92BA72F3D8DD7ULL);
        for (auto& word : s_) word = splitmix64(mix);
    }

    static constexpr result_type min() noexcept { return 0; }
    static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

    result_type operator()() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    /// Uniform double in [0, 1).
    double uniform() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

    /// Uniform integer in [0, n) (Lemire's multiply-shift; n > 0).
    std::uint64_t below(std::uint64_t n) noexcept {
        return static_cast<std::uint64_t>((static_cast<uint128_t>((*this)()) * n) >> 64);
    }

private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

}  // namespace kupffer
