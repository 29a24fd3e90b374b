#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "kupffer/cluster/quasi_likelihood.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/random.hpp"

using namespace kupffer;
using namespace kupffer::cluster;

namespace {
/// NB counts (gamma-Poisson) for genes x samples: two groups of `per_group`, genes 0-19 up 4x in
/// group 1, dispersion 0.1, library sizes varying 2x.
Eigen::MatrixXd nb_table(std::uint64_t seed, std::uint32_t genes, std::uint32_t per_group, double fold = 4.0) {
    Rng rng(seed);
    const std::uint32_t n = 2 * per_group;
    Eigen::MatrixXd y(genes, n);
    for (std::uint32_t j = 0; j < n; ++j) {
        const double lib = 1.0 + static_cast<double>(j % 3) / 2;
        for (std::uint32_t g = 0; g < genes; ++g) {
            double mu = lib * 20.0 * std::exp(std::sin(g * 0.7) * 2);
            if (g < 20 && j >= per_group) mu *= fold;
            std::gamma_distribution<double> gamma(10.0, mu / 10.0);  // dispersion 1/10
            std::poisson_distribution<int> pois(gamma(rng));
            y(g, j) = pois(rng);
        }
    }
    return y;
}
Eigen::MatrixXd two_group_design(std::uint32_t per_group) {
    Eigen::MatrixXd d = Eigen::MatrixXd::Zero(2 * per_group, 2);
    d.col(0).setOnes();
    d.block(per_group, 1, per_group, 1).setOnes();
    return d;
}
std::vector<std::uint32_t> groups(std::uint32_t per_group) {
    std::vector<std::uint32_t> g(2 * per_group);
    for (std::uint32_t j = 0; j < g.size(); ++j) g[j] = j >= per_group;
    return g;
}
}  // namespace

TEST(FilterByExpression, FollowsEdgeRsRule) {
    // Libraries of 1e6: CPM cutoff 10; min group size 2 -> >= 2 samples at >= 10 counts, total >= 15.
    Eigen::MatrixXd y(3, 4);
    y << 12, 12, 0, 0,   // kept
        10, 0, 0, 0,     // one sample only
        9, 9, 9, 9;      // below the CPM cutoff everywhere
    Eigen::MatrixXd big = Eigen::MatrixXd::Zero(4, 4);
    big.topRows(3) = y;
    big.row(3).setConstant(1e6 - 29);  // pad the libraries to about 1e6
    const auto keep = filter_by_expression(big, {0, 0, 1, 1});
    EXPECT_TRUE(keep[0]);
    EXPECT_FALSE(keep[1]);
    EXPECT_FALSE(keep[2]);
}

TEST(FilterByExpression, RoundsTheCpmAsEdgeRDoesAtTheCutoff) {
    // The e2e study's t-cell table: a gene with exactly 10 counts in the median library (98,543).
    // R: cpm(10, lib.size = 98543) = 101.478542362217496 < 10 / 98543 * 1e6 = 101.478542362217510,
    // so filterByExpr(y, group = factor(c(1, 1, 1, 2, 2))) drops it: only one other sample passes
    // and 2 are needed (R gives FALSE TRUE for these two rows).
    Eigen::MatrixXd y(2, 5);
    y << 10, 20, 1, 1, 1,
        98533, 49980, 49999, 119999, 129999;
    const auto keep = filter_by_expression(y, {0, 0, 0, 1, 1});
    EXPECT_FALSE(keep[0]);
    EXPECT_TRUE(keep[1]);
}

TEST(TmmFactors, UndoesACompositionShift) {
    // Sample 1 equals sample 0 except 10% of the genes are 20x higher there: TMM should see the
    // others as unchanged, i.e. factor(1) / factor(0) = sum(sample 1) / sum(sample 0) inverse-scaled.
    Eigen::MatrixXd y(200, 2);
    for (Eigen::Index g = 0; g < 200; ++g) y(g, 0) = y(g, 1) = 50 + g;
    for (Eigen::Index g = 0; g < 20; ++g) y(g, 1) *= 20;
    const std::vector<double> lib = {y.col(0).sum(), y.col(1).sum()};
    const auto f = tmm_factors(y, lib);
    // Effective library = lib * factor must be equal for the unchanged genes to look unchanged.
    EXPECT_NEAR(lib[0] * f[0], lib[1] * f[1], 1e-6 * lib[0]);
    EXPECT_NEAR(f[0] * f[1], 1.0, 1e-12);
}

TEST(QlTest, FindsTheChangedGenesAndControlsFalsePositives) {
    const auto y = nb_table(1, 400, 4);
    const auto r = ql_test(y, two_group_design(4), 1, groups(4), {.threads = 1});
    EXPECT_NEAR(r.common_dispersion, 0.1, 0.04);
    EXPECT_GT(r.prior_df, 5);
    std::uint32_t found = 0, false_pos = 0;
    std::vector<double> fc;
    for (std::uint32_t g = 0; g < 400; ++g) {
        if (!r.tested[g]) continue;
        if (g < 20) {
            found += r.fdr[g] < 0.05;
            fc.push_back(r.log2_fc[g]);
        } else {
            false_pos += r.fdr[g] < 0.05;
        }
    }
    EXPECT_GE(found, 15U);
    std::sort(fc.begin(), fc.end());
    EXPECT_NEAR(fc[fc.size() / 2], 2.0, 0.3);  // log2(4)
    EXPECT_LE(false_pos, 3U);
    const auto again = ql_test(y, two_group_design(4), 1, groups(4), {.threads = 4});
    for (std::uint32_t g = 0; g < 400; ++g)
        if (r.tested[g]) {
            EXPECT_EQ(again.p_value[g], r.p_value[g]);
        }
}

TEST(QlTest, PValuesAreUniformUnderTheNull) {
    // No gene changes: the fraction of p < 0.05 stays near 5% over repeated tables.
    double below = 0, tested = 0;
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        const auto r = ql_test(nb_table(100 + seed, 300, 3, 1.0), two_group_design(3), 1, groups(3));
        for (std::uint32_t g = 0; g < 300; ++g)
            if (r.tested[g]) tested += 1, below += r.p_value[g] < 0.05;
    }
    std::printf("null: %.4f of %.0f p-values below 0.05\n", below / tested, tested);
    EXPECT_LT(below / tested, 0.075);
}

TEST(QlTest, RejectsDesignsWithoutResidualDf) {
    const auto y = nb_table(1, 50, 1);
    EXPECT_THROW(ql_test(y, two_group_design(1), 1, groups(1)), OptionError);
    EXPECT_THROW(ql_test(nb_table(1, 50, 2), two_group_design(2), 2, groups(2)), OptionError);
}
