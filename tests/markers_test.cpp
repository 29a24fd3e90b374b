#include <gtest/gtest.h>

#include <cmath>

#include "kupffer/cluster/markers.hpp"
#include "kupffer/cluster/normalize.hpp"
#include "kupffer/core/errors.hpp"

using namespace kupffer;
using namespace kupffer::cluster;

namespace {
SparseMatrix<float> one_gene(const std::vector<float>& values) {
    SparseMatrix<float> m;
    m.n_rows = 1;
    m.n_cols = static_cast<std::uint32_t>(values.size());
    for (float v : values) {
        if (v != 0) m.row_indices.push_back(0), m.values.push_back(v);
        m.col_offsets.push_back(m.row_indices.size());
    }
    return m;
}
}  // namespace

TEST(FindMarkers, MatchesRsWilcoxTest) {
    // R: wilcox.test(c(0,0,1.5,2,2,3), c(0,0,0,1,1.5,0.5,0), exact = FALSE) -> p = 0.131752383823674,
    // W / (6 * 7) = 0.75 (zeros and the 1.5s tie).
    const auto m = one_gene({0, 0, 1.5f, 2, 2, 3, 0, 0, 0, 1, 1.5f, 0.5f, 0});
    const std::vector<std::uint32_t> labels = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1};
    const auto r = find_markers(m, labels, {.threads = 1});
    ASSERT_EQ(r.clusters.size(), 2U);
    EXPECT_NEAR(r.clusters[0].p_value[0], 0.131752383823674, 1e-12);
    EXPECT_NEAR(r.clusters[0].auc[0], 0.75, 1e-12);
    EXPECT_NEAR(r.clusters[1].auc[0], 0.25, 1e-12);  // the complement
    EXPECT_NEAR(r.clusters[1].p_value[0], 0.131752383823674, 1e-12);
    EXPECT_NEAR(r.clusters[0].detected_in[0], 4.0 / 6, 1e-12);
    EXPECT_NEAR(r.clusters[0].detected_out[0], 3.0 / 7, 1e-12);
    EXPECT_NEAR(r.clusters[0].log2_fc[0], 8.5 / 6 - 3.0 / 7, 1e-6);
    EXPECT_EQ(r.clusters[0].ranked, std::vector<std::uint32_t>{0});
    EXPECT_TRUE(r.clusters[1].ranked.empty());  // AUC below 0.5: not a marker of cluster 1
    EXPECT_THROW(find_markers(m, {0, 1}), OptionError);
}

TEST(FindMarkers, BenjaminiHochbergMatchesPAdjust) {
    // R: p.adjust(c(0.01, 0.04, 0.03, 0.2, NA, 0.001), "BH")
    const auto q = benjamini_hochberg({0.01, 0.04, 0.03, 0.2, std::nan(""), 0.001});
    const std::vector<double> expected = {0.025, 0.05, 0.05, 0.2, std::nan(""), 0.005};
    for (std::size_t i = 0; i < q.size(); ++i)
        if (std::isnan(expected[i])) EXPECT_TRUE(std::isnan(q[i]));
        else EXPECT_NEAR(q[i], expected[i], 1e-15);
}

TEST(FindMarkers, RanksEachGroupsOwnGenesFirstWithAnyThreads) {
    // 3 groups of 60 cells x 30 genes; group k raises genes 3k..3k+2.
    std::vector<Triplet> t;
    std::uint64_t state = 7;
    auto next = [&] { return (state = state * 6364136223846793005ULL + 1442695040888963407ULL) >> 33; };
    for (std::uint32_t c = 0; c < 180; ++c)
        for (std::uint32_t g = 0; g < 30; ++g) {
            const bool up = g < 9 && g / 3 == c / 60;
            const std::uint32_t v = static_cast<std::uint32_t>(next() % (up ? 12 : 4));
            if (v) t.push_back({g, c, v});
        }
    const auto logs = log_normalize(count_matrix_from_triplets(30, 180, t)).logcounts;
    std::vector<std::uint32_t> labels(180);
    for (std::uint32_t c = 0; c < 180; ++c) labels[c] = c / 60;
    const auto one = find_markers(logs, labels, {.threads = 1});
    const auto many = find_markers(logs, labels, {.threads = 4});
    for (std::uint32_t k = 0; k < 3; ++k) {
        ASSERT_GE(one.clusters[k].ranked.size(), 3U);
        for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(one.clusters[k].ranked[i] / 3, k);
        EXPECT_LT(one.clusters[k].fdr[3 * k], 1e-6);
        EXPECT_EQ(one.clusters[k].p_value, many.clusters[k].p_value);
        EXPECT_EQ(one.clusters[k].ranked, many.clusters[k].ranked);
    }
}
