// pooled_size_factors on counts with known per-cell capture and a composition difference between
// cell types (one type expresses 40 genes 30-fold higher), where library sizes are biased.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

#include "kupffer/cluster/size_factors.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/random.hpp"
#include "kupffer/core/statistics.hpp"

using namespace kupffer;
using namespace kupffer::cluster;

namespace {

struct Composed {
    CountMatrix counts;
    std::vector<double> capture;  ///< true relative size factor per cell
    std::vector<std::uint32_t> type;
};

Composed composed(std::uint32_t per_type = 300, std::uint32_t genes = 1000) {
    Rng rng(17);
    std::vector<double> base(genes);
    for (auto& b : base) b = 0.02 + 2.0 * std::pow(rng.uniform(), 3.0);  // mostly low, some high
    std::vector<Triplet> t;
    Composed c;
    std::normal_distribution<double> log_capture(0.0, 0.4);
    for (std::uint32_t cell = 0; cell < 3 * per_type; ++cell) {
        const std::uint32_t type = cell % 3;
        const double capture = std::exp(log_capture(rng));
        c.capture.push_back(capture);
        c.type.push_back(type);
        for (std::uint32_t g = 0; g < genes; ++g) {
            double mu = base[g] * capture;
            if (type == 2 && g < 40) mu *= 30;   // composition: a few genes take a large share
            if (type == 1 && g >= 100 && g < 140) mu *= 4;
            const auto k = std::poisson_distribution<std::uint32_t>(mu)(rng);
            if (k) t.push_back({g, cell, k});
        }
    }
    c.counts = count_matrix_from_triplets(genes, 3 * per_type, t);
    return c;
}

/// Median of factor / capture within a type, relative to type 0's.
double bias(const std::vector<double>& f, const Composed& c, std::uint32_t type) {
    std::vector<double> r0, r;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (c.type[i] == 0) r0.push_back(f[i] / c.capture[i]);
        if (c.type[i] == type) r.push_back(f[i] / c.capture[i]);
    }
    return median(r) / median(r0);
}

double pearson_log(const std::vector<double>& a, const std::vector<double>& b) {
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) ma += std::log(a[i]), mb += std::log(b[i]);
    ma /= a.size(), mb /= b.size();
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double x = std::log(a[i]) - ma, y = std::log(b[i]) - mb;
        sab += x * y, saa += x * x, sbb += y * y;
    }
    return sab / std::sqrt(saa * sbb);
}

}  // namespace

TEST(PooledSizeFactors, RemoveTheCompositionBiasOfLibrarySizes) {
    const auto c = composed();
    const auto pooled = pooled_size_factors(c.counts, c.type, {.threads = 2});
    auto library = c.counts.column_sums();
    ASSERT_EQ(pooled.size_factors.size(), library.size());
    const double lib_bias = bias(library, c, 2), pooled_bias = bias(pooled.size_factors, c, 2);
    const double r = pearson_log(pooled.size_factors, c.capture);
    std::printf("type-2 bias (factor / true capture vs type 0): library sizes %.3f, pooled %.3f; pooled vs truth log r %.4f; "
                "%zu genes used, %zu replaced\n",
                lib_bias, pooled_bias, r, pooled.genes_used, pooled.replaced);
    EXPECT_GT(lib_bias, 1.3);                 // library sizes inflate the composed type
    EXPECT_NEAR(pooled_bias, 1.0, 0.06);      // pooled factors do not
    EXPECT_NEAR(bias(pooled.size_factors, c, 1), 1.0, 0.06);
    EXPECT_GT(r, 0.95);
    double mean = 0;
    for (double f : pooled.size_factors) mean += f;
    EXPECT_NEAR(mean / pooled.size_factors.size(), 1.0, 1e-12);
    EXPECT_EQ(pooled.replaced, 0U);
}

TEST(PooledSizeFactors, SameWithOneOrManyThreadsAndSplitsLargeClusters) {
    const auto c = composed(100);
    const auto one = pooled_size_factors(c.counts, c.type, {.max_cluster_size = 60, .threads = 1});
    const auto many = pooled_size_factors(c.counts, c.type, {.max_cluster_size = 60, .threads = 4});
    EXPECT_EQ(one.size_factors, many.size_factors);
    // 100 cells per type above a maximum of 60: each type pooled in 2 halves (6 clusters).
    EXPECT_EQ(*std::max_element(one.pool_cluster.begin(), one.pool_cluster.end()), 5U);
    // Without clusters, one pool of all cells still works (scran's default).
    EXPECT_EQ(pooled_size_factors(c.counts, {}).size_factors.size(), 300U);
}

TEST(PooledSizeFactors, RejectsTinyClustersAndEmptyCells) {
    const auto c = composed(100);
    std::vector<std::uint32_t> labels(300, 0);
    for (std::uint32_t i = 0; i < 10; ++i) labels[i] = 1;  // a cluster of 10 cells < pool size 21
    EXPECT_THROW(pooled_size_factors(c.counts, labels), OptionError);
    auto with_empty = count_matrix_from_triplets(2, 30, {{0, 0, 3}});
    EXPECT_THROW(pooled_size_factors(with_empty, {}), OptionError);
}
