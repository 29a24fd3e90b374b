// doublet_scores on the simulator's doublets (3% of cells, with their truth), and the threshold
// between the two modes of the simulated doublets' scores.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "analysis_study.hpp"
#include "kupffer/cluster/doublets.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/random.hpp"
#include "kupffer/core/statistics.hpp"

using namespace kupffer;
using namespace kupffer::cluster;

namespace {

/// Area under the ROC curve of `score` separating positives from negatives (Mann-Whitney).
double auc(const std::vector<double>& positives, const std::vector<double>& negatives) {
    std::vector<double> all = positives;
    all.insert(all.end(), negatives.begin(), negatives.end());
    const auto ranks = average_ranks(all);
    double sum = 0;
    for (std::size_t i = 0; i < positives.size(); ++i) sum += ranks[i];
    const double np = static_cast<double>(positives.size()), nn = static_cast<double>(negatives.size());
    return (sum - np * (np + 1) / 2) / (np * nn);
}

DoubletOptions with_threads(int threads, std::uint64_t seed = 1) {
    DoubletOptions o;
    o.threads = threads;
    o.seed = seed;
    return o;
}

std::uint32_t sample_count(const Dataset& d) { return *std::max_element(d.sample_of_cell.begin(), d.sample_of_cell.end()) + 1; }

}  // namespace

TEST(DoubletScores, SimulatedHeterotypicDoubletsScoreHighest) {
    const auto& s = test::analysis_study();
    const auto r = doublet_scores(s.data.counts, s.data.sample_of_cell, sample_count(s.data), with_threads(2, 3));
    std::vector<double> heterotypic, singlets;
    std::size_t called = 0, called_right = 0, doublets = 0;
    for (std::size_t c = 0; c < s.truth.size(); ++c) {
        ASSERT_FALSE(std::isnan(r.score[c]));
        if (s.truth[c].heterotypic) heterotypic.push_back(r.score[c]);
        if (!s.truth[c].doublet) singlets.push_back(r.score[c]);
        doublets += s.truth[c].doublet;
        called += r.predicted[c];
        called_right += r.predicted[c] && s.truth[c].doublet;
    }
    ASSERT_GT(heterotypic.size(), 30U);
    const double a = auc(heterotypic, singlets);
    const double precision = called ? static_cast<double>(called_right) / called : 0.0;
    const double recall = static_cast<double>(called_right) / static_cast<double>(doublets);
    std::printf("doublets: %zu true (%zu heterotypic) of %zu cells; AUC heterotypic vs singlets %.3f; called %zu, precision %.2f, "
                "recall %.2f\n",
                doublets, heterotypic.size(), s.truth.size(), a, called, precision, recall);
    // The score ranks heterotypic doublets above singlets; the automatic threshold (Scrublet's) is
    // conservative: few singlets called, a third of the doublets (homotypic ones are undetectable).
    EXPECT_GT(a, 0.9);
    EXPECT_GT(precision, 0.75);
    EXPECT_GT(recall, 0.25);
}

TEST(DoubletScores, SameScoresWithOneOrManyThreads) {
    const auto& s = test::analysis_study();
    const auto one = doublet_scores(s.data.counts, s.data.sample_of_cell, sample_count(s.data), with_threads(1));
    const auto many = doublet_scores(s.data.counts, s.data.sample_of_cell, sample_count(s.data), with_threads(4));
    EXPECT_EQ(one.score, many.score);
    EXPECT_EQ(one.predicted, many.predicted);
}

TEST(DoubletScores, SmallSamplesAreNotScored) {
    const auto& s = test::analysis_study();
    std::vector<std::uint32_t> cells(40);
    for (std::uint32_t c = 0; c < 40; ++c) cells[c] = c;
    const auto r = doublet_scores(select_columns(s.data.counts, cells), std::vector<std::uint32_t>(40, 0), 1);
    EXPECT_TRUE(std::isnan(r.score[0]));
    EXPECT_EQ(r.notes.size(), 1U);
    EXPECT_THROW(doublet_scores(s.data.counts, {0, 1}, 2), OptionError);
}

TEST(BimodalThreshold, SplitsTwoModes) {
    Rng rng(9);
    std::vector<double> v;
    for (int i = 0; i < 3000; ++i) v.push_back(0.1 + 0.05 * (rng.uniform() + rng.uniform() + rng.uniform() - 1.5));
    for (int i = 0; i < 1000; ++i) v.push_back(0.7 + 0.05 * (rng.uniform() + rng.uniform() + rng.uniform() - 1.5));
    const auto t = bimodal_threshold(v);
    ASSERT_TRUE(t.has_value());
    EXPECT_GT(*t, 0.2);
    EXPECT_LT(*t, 0.6);
    EXPECT_FALSE(bimodal_threshold({2.0, 2.0}).has_value());
    std::vector<double> one;
    for (int i = 0; i < 2000; ++i) one.push_back(rng.uniform() + rng.uniform() + rng.uniform());
    EXPECT_NEAR(otsu_threshold(one), 1.5, 0.2);
    EXPECT_NEAR(otsu_threshold(v), 0.4, 0.25);
}
