#include "kupffer/core/random.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using kupffer::Rng;

TEST(Rng, SameSeedAndStreamGiveTheSameNumbers) {
    Rng a(5, 1, 2), b(5, 1, 2);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(a(), b());
}

TEST(Rng, StreamsDiffer) {
    Rng a(5, 1), b(5, 2), c(6, 1);
    const auto x = a();
    EXPECT_NE(x, b());
    EXPECT_NE(x, c());
}

TEST(Rng, UniformAndBelowAreInRangeAndUnbiased) {
    Rng rng(1);
    double sum = 0;
    std::vector<int> counts(10, 0);
    for (int i = 0; i < 100'000; ++i) {
        const double u = rng.uniform();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
        sum += u;
        const auto k = rng.below(10);
        ASSERT_LT(k, 10U);
        counts[k]++;
    }
    EXPECT_NEAR(sum / 100'000, 0.5, 0.01);
    for (int c : counts) EXPECT_NEAR(c, 10'000, 500);
}
