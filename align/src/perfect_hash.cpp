#include "perfect_hash.hpp"
#include "binary_arrays.hpp"

#include <algorithm>
#include <bit>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/parallel.hpp"
#include "kupffer/core/random.hpp"

namespace kupffer::align {

namespace {

constexpr std::uint64_t kBlockBits = 448;  // 7 words of bits after the rank: a 64-byte line
constexpr std::uint64_t kWords = 8;        // words a block

std::uint64_t position(std::uint64_t key, std::uint32_t level, std::uint64_t domain) noexcept {
    const std::uint64_t x = fmix64(key + (level + 1) * 0x9e3779b97f4a7c15ULL);  // a different hash each level
    return static_cast<std::uint64_t>((static_cast<uint128_t>(x) * domain) >> 64);  // x scaled to [0, domain)
}

std::uint64_t blocks_for(std::uint64_t domain) noexcept { return (domain + kBlockBits - 1) / kBlockBits; }

/// Lays the bits of one level into fresh blocks of `f`, with bucket-local ranks from `rank`.
void add_level(PerfectHash::Function& f, const std::vector<std::uint64_t>& bits, std::uint64_t domain, std::uint64_t& rank) {
    const std::uint64_t first = f.blocks.size() / kWords, n_blocks = blocks_for(domain);
    f.levels.push_back(first);
    f.levels.push_back(domain);
    f.blocks.resize((first + n_blocks) * kWords, 0);
    for (std::uint64_t w = 0; w < bits.size(); ++w)
        for (std::uint64_t set = bits[w]; set; set &= set - 1) {
            const std::uint64_t p = w * 64 + static_cast<unsigned>(std::countr_zero(set));
            const std::uint64_t in = p % kBlockBits;
            f.blocks[(first + p / kBlockBits) * kWords + 1 + in / 64] |= std::uint64_t{1} << (in % 64);
        }
    for (std::uint64_t b = first; b < first + n_blocks; ++b) {
        f.blocks[b * kWords] = rank;
        for (std::uint64_t w = 1; w < kWords; ++w) rank += static_cast<unsigned>(std::popcount(f.blocks[b * kWords + w]));
    }
}

}  // namespace

PerfectHash::Function PerfectHash::build(std::span<const std::uint64_t> keys, std::uint32_t max_levels) {
    Function f;
    f.keys = keys.size();
    std::vector<std::uint64_t> remaining(keys.begin(), keys.end()), next, positions, seen, twice;
    std::uint64_t rank = 0;
    for (std::uint32_t level = 0; level < max_levels && !remaining.empty(); ++level) {
        const std::uint64_t domain = 2 * remaining.size();  // gamma = 2
        seen.assign((domain + 63) / 64, 0);
        twice.assign(seen.size(), 0);
        positions.resize(remaining.size());
        for (std::size_t i = 0; i < remaining.size(); ++i) {
            const std::uint64_t p = positions[i] = position(remaining[i], level, domain), bit = std::uint64_t{1} << (p % 64);
            if (seen[p / 64] & bit) twice[p / 64] |= bit;
            seen[p / 64] |= bit;
        }
        for (std::size_t w = 0; w < seen.size(); ++w) seen[w] &= ~twice[w];  // the keys placed here
        add_level(f, seen, domain, rank);
        next.clear();
        for (std::size_t i = 0; i < remaining.size(); ++i)
            if (twice[positions[i] / 64] >> (positions[i] % 64) & 1) next.push_back(remaining[i]);
        remaining.swap(next);
    }
    std::sort(remaining.begin(), remaining.end());
    if (std::adjacent_find(remaining.begin(), remaining.end()) != remaining.end()) throw Error("perfect hash: a key is repeated");
    f.rest = std::move(remaining);
    return f;
}

void PerfectHash::append(const Function& f) {
    const std::uint64_t block_base = blocks_.size() / kWords, key_base = key_starts_.back();
    for (std::size_t i = 0; i < f.blocks.size(); ++i) blocks_.push_back(i % kWords == 0 ? f.blocks[i] + key_base : f.blocks[i]);
    for (std::size_t l = 0; l < f.levels.size(); l += 2) {
        levels_.push_back(f.levels[l] + block_base);
        levels_.push_back(f.levels[l + 1]);
    }
    level_starts_.push_back(levels_.size() / 2);
    rest_.insert(rest_.end(), f.rest.begin(), f.rest.end());
    rest_starts_.push_back(rest_.size());
    key_starts_.push_back(key_base + f.keys);
}

void PerfectHash::reserve(std::uint64_t keys) {
    // 2n + 2(0.39n) + ... = 3.3n bits, a level's last block part empty: 3.5 bits a key is ample.
    blocks_.reserve(blocks_.size() + (keys * 7 / 2 / kBlockBits + 64) * kWords);
}

void PerfectHash::aim(Probe& p) const noexcept {
    const std::uint64_t l = level_starts_[p.bucket] + p.level;
    if (l >= level_starts_[p.bucket + 1]) {
        p.block = nullptr;
        return;
    }
    const std::uint64_t pos = position(p.key, p.level, levels_[2 * l + 1]);
    p.block = blocks_.data() + (levels_[2 * l] + pos / kBlockBits) * kWords;
    p.bit = static_cast<std::uint32_t>(pos % kBlockBits);
    __builtin_prefetch(p.block);
}

// The rank's popcounts are one instruction where the CPU has it (every x86-64 since 2008), a
// libgcc call otherwise: Debian builds for baseline x86-64, so the choice is made at load time.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("popcnt", "default")))
#endif
std::uint64_t PerfectHash::step(Probe& p) const noexcept {
    if (!p.block) {  // past the levels: the sorted rest, numbered last in the bucket
        const auto begin = rest_.begin() + static_cast<std::ptrdiff_t>(rest_starts_[p.bucket]);
        const auto end = rest_.begin() + static_cast<std::ptrdiff_t>(rest_starts_[p.bucket + 1]);
        const auto it = std::lower_bound(begin, end, p.key);
        return it != end && *it == p.key ? key_starts_[p.bucket + 1] - static_cast<std::uint64_t>(end - it) : kNone;
    }
    const std::uint64_t* word = p.block + 1 + p.bit / 64;
    const std::uint64_t below = (std::uint64_t{1} << (p.bit % 64)) - 1;
    if (*word >> (p.bit % 64) & 1) {
        std::uint64_t rank = p.block[0] + static_cast<unsigned>(std::popcount(*word & below));
        for (const std::uint64_t* w = p.block + 1; w < word; ++w) rank += static_cast<unsigned>(std::popcount(*w));
        return rank;
    }
    ++p.level;
    aim(p);
    return kNext;
}

std::uint64_t PerfectHash::lookup(std::uint32_t bucket, std::uint64_t key) const noexcept {
    Probe p{key, bucket, 0, nullptr, 0};
    aim(p);
    std::uint64_t slot;
    while ((slot = step(p)) == kNext) {}
    return slot;
}

std::uint64_t PerfectHash::memory_bytes() const noexcept {
    return 8 * (blocks_.size() + levels_.size() + level_starts_.size() + rest_.size() + rest_starts_.size() + key_starts_.size());
}

void PerfectHash::save(AtomicFile& out) const {
    write_array(out, key_starts_);
    write_array(out, level_starts_);
    write_array(out, levels_);
    write_array(out, rest_starts_);
    write_array(out, rest_);
    write_array(out, blocks_);
}

PerfectHash PerfectHash::load(std::FILE* f, const std::filesystem::path& path, int threads) {
    PerfectHash h;
    read_array(f, path, h.key_starts_, 1);
    read_array(f, path, h.level_starts_, 1);
    read_array(f, path, h.levels_, 1);
    read_array(f, path, h.rest_starts_, 1);
    read_array(f, path, h.rest_, 1);
    read_array(f, path, h.blocks_, threads);
    const auto corrupt = [&] { return InputError(path.string(), 0, "corrupt index file (hash functions)"); };
    const std::size_t n = h.key_starts_.size();
    if (n == 0 || h.level_starts_.size() != n || h.rest_starts_.size() != n || h.levels_.size() % 2 || h.blocks_.size() % kWords ||
        h.key_starts_[0] || h.level_starts_[0] || h.rest_starts_[0] || h.level_starts_.back() != h.levels_.size() / 2 ||
        h.rest_starts_.back() != h.rest_.size())
        throw corrupt();
    for (std::size_t b = 0; b + 1 < n; ++b)
        if (h.key_starts_[b + 1] < h.key_starts_[b] || h.level_starts_[b + 1] < h.level_starts_[b] || h.rest_starts_[b + 1] < h.rest_starts_[b])
            throw corrupt();
    std::uint64_t next_block = 0;  // levels lie end to end, bucket after bucket
    for (std::size_t l = 0; l < h.levels_.size(); l += 2) {
        if (h.levels_[l] != next_block || h.levels_[l + 1] == 0 || blocks_for(h.levels_[l + 1]) > h.blocks_.size() / kWords - next_block)
            throw corrupt();
        next_block += blocks_for(h.levels_[l + 1]);
    }
    if (next_block != h.blocks_.size() / kWords) throw corrupt();
    // Every block's rank follows from the bits before it, and each bucket's bits and rest number
    // exactly its keys, so no lookup can give a number outside its bucket.
    std::vector<char> ok(n - 1, 1);
    parallel_for(n - 1, threads, [&](std::size_t b) {
        std::uint64_t rank = h.key_starts_[b];
        for (std::uint64_t l = h.level_starts_[b]; l < h.level_starts_[b + 1]; ++l) {
            const std::uint64_t first = h.levels_[2 * l], end = first + blocks_for(h.levels_[2 * l + 1]);
            for (std::uint64_t k = first; k < end; ++k) {
                if (h.blocks_[k * kWords] != rank) ok[b] = 0;
                for (std::uint64_t w = 1; w < kWords; ++w) rank += static_cast<unsigned>(std::popcount(h.blocks_[k * kWords + w]));
            }
        }
        const auto rest_begin = h.rest_.begin() + static_cast<std::ptrdiff_t>(h.rest_starts_[b]);
        const auto rest_end = h.rest_.begin() + static_cast<std::ptrdiff_t>(h.rest_starts_[b + 1]);
        if (rank + static_cast<std::uint64_t>(rest_end - rest_begin) != h.key_starts_[b + 1]) ok[b] = 0;
        if (std::adjacent_find(rest_begin, rest_end, std::greater_equal<>()) != rest_end) ok[b] = 0;
    });
    if (std::find(ok.begin(), ok.end(), 0) != ok.end()) throw corrupt();
    return h;
}

}  // namespace kupffer::align
