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

TEST(CompareGroups, ArcsineSquareRootOfShares) {
    EXPECT_DOUBLE_EQ(arcsine_sqrt(0), 0);
    EXPECT_NEAR(arcsine_sqrt(1), M_PI / 2, 1e-12);
    EXPECT_NEAR(arcsine_sqrt(0.5), M_PI / 4, 1e-12);
}

}  // namespace
}  // namespace kupffer::cluster
