#include "kupffer/quant/cell_calling.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "kupffer/core/random.hpp"

using namespace kupffer;
using namespace kupffer::quant;

namespace {
/// 2,000 ambient barcodes (5-80 UMIs from profile A), 100 large cells (2,000 UMIs, profile B),
/// 60 small cells (101-180 UMIs, profile B) and 40 empty droplets of the same size (profile A):
/// above the ambient cut-off and below OrdMag's threshold (~200), so only EmptyDrops can tell them.
CountMatrix droplets() {
    const std::uint32_t genes = 200;
    std::vector<double> ambient(genes), cell(genes);
    Rng rng(9);
    for (std::uint32_t g = 0; g < genes; ++g) {
        ambient[g] = std::exp(2 * rng.uniform());
        cell[g] = g < 40 ? 30 * ambient[g] : ambient[g] * 0.2;
    }
    std::vector<Triplet> t;
    std::uint32_t col = 0;
    auto add = [&](const std::vector<double>& profile, std::uint32_t total) {
        std::discrete_distribution<std::uint32_t> pick(profile.begin(), profile.end());
        std::vector<std::uint32_t> counts(genes, 0);
        for (std::uint32_t i = 0; i < total; ++i) ++counts[pick(rng)];
        for (std::uint32_t g = 0; g < genes; ++g)
            if (counts[g]) t.push_back({g, col, counts[g]});
        ++col;
    };
    for (int i = 0; i < 2000; ++i) add(ambient, 5 + static_cast<std::uint32_t>(rng.below(76)));
    for (int i = 0; i < 100; ++i) add(cell, 2000);
    for (int i = 0; i < 60; ++i) add(cell, 101 + static_cast<std::uint32_t>(rng.below(80)));
    for (int i = 0; i < 40; ++i) add(ambient, 101 + static_cast<std::uint32_t>(rng.below(80)));
    return count_matrix_from_triplets(genes, col, std::move(t));
}
}  // namespace

TEST(BenjaminiHochberg, MatchesTheTextbookExample) {
    const auto q = benjamini_hochberg({0.01, 0.04, 0.03, 0.005, std::nan("")});
    EXPECT_NEAR(q[3], 0.02, 1e-12);
    EXPECT_NEAR(q[0], 0.02, 1e-12);
    EXPECT_NEAR(q[2], 0.04, 1e-12);
    EXPECT_NEAR(q[1], 0.04, 1e-12);
    EXPECT_TRUE(std::isnan(q[4]));
}

TEST(CallCells, OrdMagKeepsLargeCellsAndEmptyDropsRescuesSmallOnes) {
    const auto m = droplets();
    CellCallingOptions o;
    o.expected_cells = 100;
    o.iterations = 2000;
    o.emptydrops = false;
    const auto ordmag = call_cells(m, o);
    for (std::uint32_t c = 2000; c < 2100; ++c) EXPECT_TRUE(ordmag.is_cell[c]);
    EXPECT_EQ(ordmag.ordmag_cells, 100U);
    o.emptydrops = true;
    const auto r = call_cells(m, o);
    std::uint32_t small_found = 0, empty_called = 0;
    for (std::uint32_t c = 2100; c < 2160; ++c) small_found += r.is_cell[c];
    for (std::uint32_t c = 2160; c < 2200; ++c) empty_called += r.is_cell[c];
    for (std::uint32_t c = 0; c < 2000; ++c) empty_called += r.is_cell[c];
    EXPECT_GE(small_found, 57U);
    EXPECT_LE(empty_called, 2U);
    EXPECT_GT(r.alpha, 0);
}

TEST(CallCells, SameCallsAndPValuesOnAnyThreadCount) {
    const auto m = droplets();
    CellCallingOptions o;
    o.expected_cells = 100;
    o.iterations = 1000;
    o.threads = 1;
    const auto one = call_cells(m, o);
    o.threads = 4;
    const auto four = call_cells(m, o);
    EXPECT_EQ(one.is_cell, four.is_cell);
    for (std::size_t c = 0; c < one.pvalue.size(); ++c)
        if (!std::isnan(one.pvalue[c])) {
            EXPECT_EQ(one.pvalue[c], four.pvalue[c]);
        }
}

TEST(GoodTuring, MatchesDropletUtilsProportions) {
    // Reference values: DropletUtils:::.safe_good_turing (edgeR::goodTuringProportions) in R.
    const std::vector<double> x = {0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 5, 5, 8, 13, 0, 1, 2, 40, 1, 3};
    const std::vector<double> expected = {0.0168539325843, 0.0168539325843, 0.0168539325843, 0.00783638145785, 0.00783638145785,
                                          0.00783638145785, 0.00783638145785, 0.0182201542764, 0.0182201542764, 0.0290684642352,
                                          0.0511947316181, 0.0511947316181, 0.0847263558164, 0.140864551507, 0.0168539325843,
                                          0.00783638145785, 0.0182201542764, 0.444788219057, 0.00783638145785, 0.0290684642352};
    const auto p = kupffer::quant::good_turing_proportions(x);
    ASSERT_EQ(p.size(), expected.size());
    for (std::size_t i = 0; i < p.size(); ++i) EXPECT_NEAR(p[i], expected[i], 1e-10) << i;
    // No singletons: zero counts get DropletUtils' pseudo-probability 1 / N.
    const auto q = kupffer::quant::good_turing_proportions({0, 2, 2, 3, 7});
    const std::vector<double> expected_q = {0.0714285714286, 0.128053101064, 0.128053101064, 0.197049829377, 0.475415397066};
    for (std::size_t i = 0; i < q.size(); ++i) EXPECT_NEAR(q[i], expected_q[i], 1e-10) << i;
}
