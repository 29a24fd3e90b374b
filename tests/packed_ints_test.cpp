#include "kupffer/core/packed_ints.hpp"

#include <gtest/gtest.h>

#include <vector>

using kupffer::PackedInts;

namespace {
std::uint64_t next(std::uint64_t& x) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x;
}
}  // namespace

TEST(PackedInts, ReadsBackEveryWidthAcrossWordBoundaries) {
    // Widths around the 32-bit boundary (33-40: positions in a concatenation of more than 4 Gb)
    // and at the extremes; values include 0, the largest that fits and ones straddling words.
    for (unsigned width : {1U, 7U, 31U, 32U, 33U, 34U, 40U, 55U, 56U}) {
        PackedInts p(width);
        std::vector<std::uint64_t> expected;
        std::uint64_t x = width;
        for (int i = 0; i < 5000; ++i) {
            const std::uint64_t v = i % 3 == 0 ? p.max_value() - (i % 7) % (p.max_value() + 1) : next(x) & p.max_value();
            p.push_back(v);
            expected.push_back(v);
        }
        ASSERT_EQ(p.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) ASSERT_EQ(p.get(i), expected[i]) << "width " << width << " at " << i;
        EXPECT_THROW(p.push_back(p.max_value() + 1), std::out_of_range);
        // Saved words rebuild the same values; words of the wrong length are refused.
        PackedInts q;
        ASSERT_TRUE(q.from_words(width, p.size(), p.words()));
        for (std::size_t i = 0; i < expected.size(); ++i) ASSERT_EQ(q.get(i), expected[i]);
        EXPECT_FALSE(PackedInts().from_words(width, p.size() + 64, p.words()));
        EXPECT_FALSE(PackedInts().from_words(57, p.size(), p.words()));
    }
    EXPECT_EQ(PackedInts::bits_for(0), 1U);
    EXPECT_EQ(PackedInts::bits_for((std::uint64_t{1} << 32) - 1), 32U);
    EXPECT_EQ(PackedInts::bits_for(std::uint64_t{1} << 32), 33U);
    EXPECT_THROW(PackedInts(57), std::invalid_argument);
}

TEST(PackedInts, ValuesPastFourBillionBitsAndAboveTwoToThe32) {
    // 140 M values of 33 bits span 4.6 G bits (580 MB): element indexes whose bit offset passes
    // 2^32, holding values above 2^32, as a primate index's values and postings do.
    constexpr std::uint64_t n = 140'000'000;
    PackedInts p(33);
    p.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) p.push_back((i * 2654435761ULL) & p.max_value());
    ASSERT_GT(n * 33, std::uint64_t{1} << 32);
    std::uint64_t above = 0;
    for (std::uint64_t i = 0; i < n; i += 9973) {
        ASSERT_EQ(p.get(i), (i * 2654435761ULL) & p.max_value()) << i;
        above += p.get(i) >= (std::uint64_t{1} << 32);
    }
    EXPECT_EQ(p.get(n - 1), ((n - 1) * 2654435761ULL) & p.max_value());
    EXPECT_GT(above, 0U);
}
