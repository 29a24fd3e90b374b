#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "analysis_study.hpp"
#include "kupffer/cluster/analyse.hpp"
#include "kupffer/core/statistics.hpp"
#include "kupffer/core/random.hpp"

using namespace kupffer;
using namespace kupffer::cluster;

namespace {
const AnalysisResults& study_analysis(int threads) {
    static std::map<int, AnalysisResults> cache;
    auto it = cache.find(threads);
    if (it != cache.end()) return it->second;
    auto o = default_analysis_options();
    o.threads = threads;
    return cache.emplace(threads, analyse(test::analysis_study().data, o)).first->second;
}
}  // namespace

TEST(Analyse, RecoversCellTypesMaturationAndTheIl6Effect) {
    // Issue 5's checks on the simulator's truth, through the whole chain with default options.
    const auto& s = test::analysis_study();
    const auto& r = study_analysis(2);
    std::map<std::string, std::uint32_t> id;
    std::vector<std::uint32_t> truth_types, clusters;
    double right = 0, clean = 0;
    std::vector<double> pseudotime, maturation;
    for (std::size_t i = 0; i < r.analysed.size(); ++i) {
        const auto& t = s.truth[r.analysed[i]];
        if (!t.clean) continue;
        truth_types.push_back(id.try_emplace(t.type, static_cast<std::uint32_t>(id.size())).first->second);
        clusters.push_back(r.clusters[i]);
        clean += 1;
        right += r.cell_type[i] == t.type;
        if (!std::isnan(r.maturation_pseudotime[i]) && !std::isnan(t.maturation))
            pseudotime.push_back(r.maturation_pseudotime[i]), maturation.push_back(t.maturation);
    }
    const double ari = adjusted_rand_index(clusters, truth_types), accuracy = right / clean;
    const double rho = spearman(pseudotime, maturation);
    std::printf("analyse: %zu of %u cells analysed, %zu clusters, ARI %.3f, annotation accuracy %.3f, maturation Spearman %.3f (%zu cells)\n",
                r.analysed.size(), s.data.counts.n_cols, r.annotation.cluster_label.size(), ari, accuracy, rho, pseudotime.size());
    EXPECT_GE(ari, 0.85);  // clusters split some types (e.g. by maturation); annotation merges them back
    EXPECT_GE(accuracy, 0.90);
    EXPECT_GE(rho, 0.85);
    // The run's own check: the pseudotime agrees with the panel score it was rooted on.
    EXPECT_GE(r.maturation_agreement, 0.5);
    // IL6, ALF vs control, in the classical monocytes, per animal.
    const auto il6 = static_cast<std::size_t>(std::find(s.data.gene_names.begin(), s.data.gene_names.end(), "IL6") - s.data.gene_names.begin());
    bool found = false;
    for (const auto& c : r.cytokines.comparisons)
        if (c.cell_type == "classical_monocyte" && c.group == "ALF" && c.reference == "control") {
            found = true;
            EXPECT_GT(c.test.log2_fc[il6], 1.0);
            EXPECT_LT(c.test.fdr[il6], 0.05);
        }
    EXPECT_TRUE(found);
    // Doublet scores: every analysed cell scored; predicted doublets are mostly true ones.
    std::size_t predicted = 0, predicted_true = 0;
    for (auto c : r.analysed) {
        EXPECT_FALSE(std::isnan(r.doublets.score[c]));
        predicted += r.doublets.predicted[c];
        predicted_true += r.doublets.predicted[c] && s.truth[c].doublet;
    }
    EXPECT_GT(predicted, 10U);
    EXPECT_GT(static_cast<double>(predicted_true), 0.75 * static_cast<double>(predicted));
}

TEST(Analyse, RemovesPredictedDoubletsWhenAsked) {
    auto o = default_analysis_options();
    o.remove_doublets = true;
    o.threads = 2;
    const auto& s = test::analysis_study();
    const auto r = analyse(s.data, o);
    const auto& kept = study_analysis(2);
    const auto predicted = static_cast<std::size_t>(std::count(kept.doublets.predicted.begin(), kept.doublets.predicted.end(), true));
    EXPECT_EQ(r.analysed.size() + predicted, kept.analysed.size());
    for (auto c : r.analysed) EXPECT_FALSE(r.doublets.predicted[c]);
}

TEST(Analyse, SameResultsWithOneOrManyThreads) {
    const auto& one = study_analysis(1);
    const auto& many = study_analysis(2);
    EXPECT_EQ(one.analysed, many.analysed);
    EXPECT_TRUE(one.pca.scores == many.pca.scores);
    EXPECT_EQ(one.clusters, many.clusters);
    EXPECT_TRUE(one.umap == many.umap);
    EXPECT_EQ(one.cell_type, many.cell_type);
    ASSERT_EQ(one.maturation_pseudotime.size(), many.maturation_pseudotime.size());
    for (std::size_t i = 0; i < one.maturation_pseudotime.size(); ++i)
        if (!std::isnan(one.maturation_pseudotime[i])) {
            EXPECT_EQ(one.maturation_pseudotime[i], many.maturation_pseudotime[i]);
        }
    ASSERT_EQ(one.cytokines.comparisons.size(), many.cytokines.comparisons.size());
    for (std::size_t k = 0; k < one.cytokines.comparisons.size(); ++k) {
        const auto& a = one.cytokines.comparisons[k].test;
        const auto& b = many.cytokines.comparisons[k].test;
        for (std::size_t g = 0; g < a.tested.size(); ++g)
            if (a.tested[g]) {
                EXPECT_EQ(a.p_value[g], b.p_value[g]);
            }
    }
}

TEST(Harmony, RemovesAnAnimalShiftButKeepsTypes) {
    // Two types x two "animals"; animal 1 is shifted along PC 3. After Harmony, a cell's nearest
    // neighbours mix animals but not types.
    Rng rng(9);
    std::normal_distribution<double> z(0, 1);
    Eigen::MatrixXd x(400, 5);
    std::vector<std::uint32_t> batch(400), type(400);
    for (Eigen::Index i = 0; i < 400; ++i) {
        type[static_cast<std::size_t>(i)] = i % 2;
        batch[static_cast<std::size_t>(i)] = (i / 2) % 2;
        for (Eigen::Index d = 0; d < 5; ++d) x(i, d) = z(rng);
        x(i, 0) += type[static_cast<std::size_t>(i)] ? 10 : -10;
        x(i, 2) += batch[static_cast<std::size_t>(i)] ? 6 : -6;
    }
    auto mixing = [&](const Eigen::MatrixXd& m, const std::vector<std::uint32_t>& label) {
        const auto nn = nearest_neighbors(m, {.k = 11});
        double same = 0;
        for (std::size_t i = 0; i < nn.size(); ++i)
            for (std::size_t k = 1; k < nn[i].size(); ++k) same += label[nn[i][k]] == label[i];
        return same / (static_cast<double>(nn.size()) * 10);
    };
    EXPECT_GT(mixing(x, batch), 0.95);  // before: neighbours share the animal
    const auto h = harmony(x, batch, {.seed = 3});
    std::printf("harmony: %u rounds; same-animal neighbours %.2f -> %.2f; same-type %.2f\n", h.iterations, mixing(x, batch),
                mixing(h.corrected, batch), mixing(h.corrected, type));
    EXPECT_LT(mixing(h.corrected, batch), 0.7);
    EXPECT_GT(mixing(h.corrected, type), 0.98);
    EXPECT_TRUE(harmony(x, batch, {.seed = 3}).corrected == h.corrected);
}
