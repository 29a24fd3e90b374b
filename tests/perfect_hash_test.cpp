// The k-mer table's minimal perfect hash functions (align/src/perfect_hash.hpp): every key of every
// bucket numbered once, in its bucket's range, whatever the key order; the sorted rest; the saved
// bytes checked when loaded.
#include "perfect_hash.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "kupffer/core/errors.hpp"
#include "round_trip.hpp"
#include "test_dir.hpp"

using namespace kupffer;
using namespace kupffer::align;
using kupffer::test::TempDir;

namespace {

std::vector<std::uint64_t> random_keys(std::size_t n, std::uint64_t seed) {
    std::set<std::uint64_t> keys;
    std::uint64_t x = seed;
    while (keys.size() < n) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        keys.insert(x >> 2);  // 62-bit keys, like 31-mers
    }
    return {keys.begin(), keys.end()};
}

/// Every key of bucket b gets a number of its own in [first_key(b), first_key(b + 1)).
void expect_minimal_perfect(const PerfectHash& h, const std::vector<std::vector<std::uint64_t>>& buckets) {
    ASSERT_EQ(h.buckets(), buckets.size());
    for (std::uint32_t b = 0; b < buckets.size(); ++b) {
        std::vector<std::uint64_t> numbers;
        for (const auto key : buckets[b]) numbers.push_back(h.lookup(b, key));
        std::sort(numbers.begin(), numbers.end());
        for (std::size_t i = 0; i < numbers.size(); ++i) ASSERT_EQ(numbers[i], h.first_key(b) + i) << "bucket " << b;
        ASSERT_EQ(h.first_key(b + 1), h.first_key(b) + buckets[b].size());
    }
}


}  // namespace

TEST(PerfectHash, NumbersEveryKeyOfEveryBucketOnceInItsRange) {
    std::vector<std::vector<std::uint64_t>> buckets;
    PerfectHash h;
    for (std::size_t n : {0, 1, 2, 3, 100, 1000, 200'000}) {
        buckets.push_back(random_keys(n, n + 7));
        h.append(PerfectHash::build(buckets.back()));
    }
    expect_minimal_perfect(h, buckets);
    EXPECT_EQ(h.keys(), 201'106U);
    // ~3.8 bits a key (levels of 2n, 2 * 0.39n, ... bits; a 64-bit rank per 448 bits).
    EXPECT_LT(static_cast<double>(h.memory_bytes()) * 8 / static_cast<double>(h.keys()), 4.0);
    // A key of no bucket's set is ruled out or given a number of its bucket: never one outside.
    std::size_t outside = 0;
    for (const auto key : random_keys(20'000, 99)) {
        const std::uint64_t number = h.lookup(6, key);
        outside += number != PerfectHash::kNone && (number < h.first_key(6) || number >= h.first_key(7));
    }
    EXPECT_EQ(outside, 0U);
}

TEST(PerfectHash, KeysPastTheLastLevelAreKeptSortedAndNumberedLast) {
    const auto keys = random_keys(5000, 3);
    PerfectHash h;
    h.append(PerfectHash::build(random_keys(10, 1)));
    for (std::uint32_t levels : {0U, 1U, 2U}) h.append(PerfectHash::build(keys, levels));
    expect_minimal_perfect(h, {random_keys(10, 1), keys, keys, keys});
    // With no level, a key outside the set is always ruled out.
    std::size_t found = 0;
    for (const auto key : random_keys(1000, 42)) found += h.lookup(1, key) != PerfectHash::kNone;
    EXPECT_EQ(found, 0U);
}

TEST(PerfectHash, TheFunctionDoesNotDependOnKeyOrderAndRepeatedKeysAreAnError) {
    auto keys = random_keys(50'000, 11);
    const auto sorted = PerfectHash::build(keys);
    std::reverse(keys.begin(), keys.end());
    std::rotate(keys.begin(), keys.begin() + 1234, keys.end());
    const auto shuffled = PerfectHash::build(keys);
    EXPECT_EQ(sorted.blocks, shuffled.blocks);
    EXPECT_EQ(sorted.levels, shuffled.levels);
    EXPECT_EQ(sorted.rest, shuffled.rest);
    keys.push_back(keys[77]);
    EXPECT_THROW(PerfectHash::build(keys), Error);
}

TEST(PerfectHash, LoadsWhatItSavedAndRefusesDamagedRanks) {
    std::vector<std::vector<std::uint64_t>> buckets{random_keys(3000, 5), {}, random_keys(40'000, 6)};
    PerfectHash h;
    for (const auto& b : buckets) h.append(PerfectHash::build(b, 3));  // a rest in each bucket
    TempDir dir;
    const std::string good = saved(h, dir, "good");
    expect_minimal_perfect(loaded<PerfectHash>(dir, "good", 2), buckets);
    EXPECT_EQ(saved(loaded<PerfectHash>(dir, "good", 2), dir, "again"), good);
    // One bit flipped in the last block's bits: its rank no longer follows, and lookups could
    // number a key outside its bucket.
    std::string bad = good;
    bad[bad.size() - 3] = static_cast<char>(bad[bad.size() - 3] ^ 0x10);
    expect_refused<PerfectHash>(dir, "bad", bad);
    expect_refused<PerfectHash>(dir, "short", good.substr(0, good.size() / 2));
}
