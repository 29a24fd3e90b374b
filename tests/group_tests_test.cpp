// Group comparisons with animals as replicates: Student's t as R's t.test(var.equal = TRUE),
// comparisons only with enough replicates, BH within a comparison, and about 5% of p < 0.05 under
// the null.
#include "kupffer/cluster/group_tests.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace kupffer::cluster {
namespace {

TEST(CompareGroups, MatchesRsPooledTTest) {
    // R: t.test(c(4, 5, 6), c(1, 2, 3), var.equal = TRUE): t = 3.6742, df = 4, p-value = 0.02131
    std::vector<ReplicateValue> v;
    for (double x : {1.0, 2.0, 3.0}) v.push_back({"f", "control", "D3", "a" + std::to_string(x), x});
    for (double x : {4.0, 5.0, 6.0}) v.push_back({"f", "ALF", "D3", "b" + std::to_string(x), x});
    const auto t = compare_groups(v, {"control", "ALF"});
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].group, "ALF");
    EXPECT_EQ(t[0].reference, "control");
    EXPECT_NEAR(t[0].t, 3.6742, 1e-4);
    EXPECT_DOUBLE_EQ(t[0].df, 4);
    EXPECT_NEAR(t[0].p_value, 0.02131, 1e-5);
    EXPECT_DOUBLE_EQ(t[0].mean_group - t[0].mean_reference, 3);
}

TEST(CompareGroups, NeedsReplicatesAndAdjustsWithinAComparison) {
    std::vector<ReplicateValue> v = {{"a", "control", "D3", "1", 0.1}, {"a", "control", "D3", "2", 0.12}, {"a", "ALF", "D3", "3", 0.5},
                                     {"a", "ALF", "D3", "4", 0.52},    {"b", "control", "D3", "1", 0.3},  {"b", "control", "D3", "2", 0.3},
                                     {"b", "ALF", "D3", "3", 0.3},     {"b", "ALF", "D3", "4", 0.3},      {"a", "MSC", "D3", "5", 0.2}};
    const auto t = compare_groups(v, {"control", "ALF", "MSC"});
    ASSERT_EQ(t.size(), 2u);  // MSC has one animal: not compared
    EXPECT_LT(t[0].p_value, 0.01);
    EXPECT_DOUBLE_EQ(t[1].p_value, 1.0);  // no variance, no difference
    EXPECT_DOUBLE_EQ(t[0].fdr, std::min(1.0, t[0].p_value * 2));
}

TEST(CompareGroups, NullStudiesGiveAboutFivePercentBelowPointZeroFive) {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise(0.3, 0.05);
    std::vector<ReplicateValue> v;
    for (int f = 0; f < 4000; ++f)
        for (int a = 0; a < 6; ++a) v.push_back({"f" + std::to_string(f), a < 3 ? "control" : "ALF", "D3", std::to_string(a), noise(rng)});
    const auto t = compare_groups(v, {"control", "ALF"});
    ASSERT_EQ(t.size(), 4000u);
    double below = 0;
    for (const auto& x : t) below += x.p_value < 0.05;
    EXPECT_NEAR(below / 4000, 0.05, 0.012);
    for (const auto& x : t) EXPECT_GT(x.fdr, 0.05);
}

TEST(CompareGroups, ModeratedMatchesLimmaEbayes) {
    // R: fit <- eBayes(lmFit(y, model.matrix(~group))) on five features, 3 + 3 replicates:
    // df.prior 30.799256284129, s2.prior 0.00102292517216343, df.total 20 (capped at the residual df).
    const double y[5][6] = {{0.30, 0.35, 0.28, 0.40, 0.45, 0.42}, {0.10, 0.12, 0.09, 0.11, 0.10, 0.13},
                            {0.50, 0.42, 0.47, 0.52, 0.60, 0.49}, {0.20, 0.26, 0.22, 0.21, 0.19, 0.25},
                            {0.33, 0.31, 0.36, 0.30, 0.34, 0.29}};
    const double t_expected[5] = {4.353699575768146, 0.401142895716328, 2.609033905283076, -0.384876034791673, -0.911952439801238};
    const double p_expected[5] = {0.000307742697037973, 0.692568479351576061, 0.016795358460392821, 0.704391590998285300,
                                  0.372655692138772254};
    std::vector<ReplicateValue> v;
    for (int f = 0; f < 5; ++f)
        for (int a = 0; a < 6; ++a) v.push_back({"f" + std::to_string(f), a < 3 ? "ref" : "grp", "D3", std::to_string(a), y[f][a]});
    const auto t = compare_groups(v, {"ref", "grp"}, {.moderate = true});
    ASSERT_EQ(t.size(), 5u);
    for (int f = 0; f < 5; ++f) {
        EXPECT_NEAR(t[f].t, t_expected[f], 1e-9) << f;
        EXPECT_NEAR(t[f].p_value, p_expected[f], 1e-12) << f;
        EXPECT_DOUBLE_EQ(t[f].df, 20);
        EXPECT_NEAR(t[f].prior_df, 30.799256284129, 1e-8);
    }
    std::vector<double> variances;
    for (const auto& x : t) variances.push_back(x.variance);
    EXPECT_NEAR(fit_prior_variance(variances, 4).variance, 0.00102292517216343, 1e-15);
}

TEST(CompareGroups, ModeratedNullStudiesGiveAboutFivePercentBelowPointZeroFive) {
    // Cell-type shares: features with their own true variance (log-normal around a common one).
    std::mt19937_64 rng(8);
    std::normal_distribution<double> z(0.0, 1.0);
    double below = 0, tests = 0;
    for (int study = 0; study < 400; ++study) {
        std::vector<ReplicateValue> v;
        for (int f = 0; f < 12; ++f) {
            const double sd = 0.04 * std::exp(0.3 * z(rng));
            for (int a = 0; a < 6; ++a) v.push_back({"f" + std::to_string(f), a < 3 ? "control" : "ALF", "D3", std::to_string(a), 0.3 + sd * z(rng)});
        }
        for (const auto& x : compare_groups(v, {"control", "ALF"}, {.moderate = true})) below += x.p_value < 0.05, tests += 1;
    }
    EXPECT_NEAR(below / tests, 0.05, 0.012);
}

TEST(CompareGroups, ArcsineSquareRootOfShares) {
    EXPECT_DOUBLE_EQ(arcsine_sqrt(0), 0);
    EXPECT_NEAR(arcsine_sqrt(1), M_PI / 2, 1e-12);
    EXPECT_NEAR(arcsine_sqrt(0.5), M_PI / 4, 1e-12);
}

}  // namespace
}  // namespace kupffer::cluster
