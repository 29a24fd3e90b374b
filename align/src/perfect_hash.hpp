#pragma once
// Minimal perfect hash functions for keys split into buckets, numbering all keys 0..N-1 bucket
// after bucket; the k-mer table's map from a k-mer to its value.
//
// Each bucket's function is BBHash's cascade (Limasset et al. 2017): level 0 hashes the keys into
// 2n bits and keeps a bit for each key that has its position to itself; the keys that collided go
// on to level 1 (2x their number of bits), and so on; a key's number is the rank of its bit among
// the bits kept. About 61% of keys are placed at each level, so a lookup reads 1.65 levels on
// average, and the bits cost 3.3 a key. Keys left after kMaxLevels (none in practice) are kept
// sorted. It is written here rather than taken from libbbhash because a lookup must be able to
// stop between levels: BBHash's levels are private, so its lookups could not be prefetched, and
// its rank sample sat in a separate array (a second cache miss a level). Here the bits are laid
// out in 64-byte blocks of a 64-bit running rank and 448 bits, so a level costs one cache line,
// and a lookup is split into aim (prefetch the block) and step (read it), for find_many to
// overlap the misses of many k-mers. 3.8 bits a key with the blocks' ranks.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <span>
#include <vector>

#include "kupffer/core/huge_pages.hpp"
#include "kupffer/core/output_file.hpp"

namespace kupffer::align {

class PerfectHash {
public:
    static constexpr std::uint64_t kNone = ~std::uint64_t{0};      ///< the key is in no bucket's set
    static constexpr std::uint64_t kNext = ~std::uint64_t{0} - 1;  ///< step() moved on to the next level

    /// One bucket's function while built: blocks with bucket-local ranks.
    struct Function {
        std::vector<std::uint64_t> blocks;  ///< 8 words a block: rank, then 7 words of bits
        std::vector<std::uint64_t> levels;  ///< per level: first block, domain in bits
        std::vector<std::uint64_t> rest;    ///< keys placed at no level, sorted
        std::uint64_t keys = 0;
    };
    static constexpr std::uint32_t kMaxLevels = 48;  ///< keys left after 48 levels: n * 0.39^48, none

    /// The function of `keys` (distinct; their order does not change it). Error if keys repeat.
    /// Keys still colliding after `max_levels` levels are kept sorted (tests lower it to reach them).
    static Function build(std::span<const std::uint64_t> keys, std::uint32_t max_levels = kMaxLevels);
    /// Appends `f` as the next bucket, numbering its keys after those of the buckets before.
    void append(const Function& f);
    /// Room for the functions of up to `keys` keys in all, so appending does not copy the blocks
    /// near the build's peak (pages never written are never resident).
    void reserve(std::uint64_t keys);

    std::uint32_t buckets() const noexcept { return static_cast<std::uint32_t>(key_starts_.size() - 1); }
    /// Number of the first key of bucket `b`; of all keys for b = buckets().
    std::uint64_t first_key(std::uint32_t b) const noexcept { return key_starts_[b]; }
    std::uint64_t keys() const noexcept { return key_starts_.back(); }

    /// A lookup in progress: aim() finds and prefetches the block of the probe's level, step()
    /// reads it.
    struct Probe {
        std::uint64_t key = 0;
        std::uint32_t bucket = 0, level = 0;
        const std::uint64_t* block = nullptr;  ///< null once past the levels (the sorted rest)
        std::uint32_t bit = 0;
    };
    void aim(Probe& p) const noexcept;
    /// The key's number if its bit is set at this level (any key of the bucket's set has one; a
    /// key outside it may too), kNone if it is in no set, or kNext after aiming at the next level.
    std::uint64_t step(Probe& p) const noexcept;
    /// aim() and step() until done.
    std::uint64_t lookup(std::uint32_t bucket, std::uint64_t key) const noexcept;

    std::uint64_t memory_bytes() const noexcept;
    void save(AtomicFile& out) const;
    /// Reads what save() wrote at the file's position; InputError naming `path` if it is damaged
    /// (every block's rank and every level's extent are checked).
    static PerfectHash load(std::FILE* f, const std::filesystem::path& path, int threads);

private:
    HugePageVector<std::uint64_t> blocks_;
    std::vector<std::uint64_t> levels_;                   ///< (first block, domain) per level, bucket after bucket
    std::vector<std::uint64_t> level_starts_{0};          ///< first level of each bucket (in pairs); total last
    std::vector<std::uint64_t> rest_, rest_starts_{0};    ///< the rest of each bucket, sorted
    std::vector<std::uint64_t> key_starts_{0};            ///< first key number of each bucket; total last
};

}  // namespace kupffer::align
