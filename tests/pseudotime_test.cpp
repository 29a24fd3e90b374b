#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "analysis_study.hpp"
#include "kupffer/cluster/annotate.hpp"
#include "kupffer/cluster/hvg.hpp"
#include "kupffer/cluster/normalize.hpp"
#include "kupffer/cluster/pca.hpp"
#include "kupffer/cluster/pseudotime.hpp"
#include "kupffer/core/random.hpp"

using namespace kupffer;
using namespace kupffer::cluster;

TEST(Spearman, KnownValues) {
    EXPECT_NEAR(spearman({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0, 1e-12);
    EXPECT_NEAR(spearman({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0, 1e-12);
    // R: cor(c(1,2,3,4,5), c(2,1,4,3,5), method = "spearman") = 0.8
    EXPECT_NEAR(spearman({1, 2, 3, 4, 5}, {2, 1, 4, 3, 5}), 0.8, 1e-12);
}

TEST(DiffusionPseudotime, OrdersPointsAlongACurve) {
    // Points along a noisy arc in 5 dimensions; pseudotime from the end where the root score is high.
    Rng rng(5);
    std::normal_distribution<double> z(0, 0.03);
    const Eigen::Index n = 400;
    Eigen::MatrixXd x(n, 5);
    std::vector<double> t(n), root(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        t[i] = rng.uniform();
        x.row(i) << std::cos(3 * t[i]), std::sin(3 * t[i]), t[i], z(rng), z(rng);
        x(i, 0) += z(rng), x(i, 1) += z(rng);
        root[i] = -t[i] + z(rng);
    }
    const auto r = diffusion_pseudotime(x, root, {.k = 15, .components = 6, .threads = 1});
    EXPECT_GT(spearman(r.pseudotime, t), 0.97);
    EXPECT_LT(t[r.root], 0.1);
    EXPECT_EQ(diffusion_pseudotime(x, root, {.k = 15, .components = 6, .threads = 3}).pseudotime, r.pseudotime);
}

TEST(DiffusionPseudotime, RecoversTheSimulatedMaturation) {
    // Issue 5: the maturation score's Spearman correlation with the true maturation >= 0.85, on the
    // monocyte -> macrophage cells (true types here; the analysis finds them by annotation).
    const auto& s = test::analysis_study();
    std::vector<std::uint32_t> axis;
    std::vector<double> truth;
    for (std::uint32_t c = 0; c < s.truth.size(); ++c)
        if (s.truth[c].clean && !std::isnan(s.truth[c].maturation)) axis.push_back(c), truth.push_back(s.truth[c].maturation);
    const auto counts = select_columns(s.data.counts, axis);
    const auto logs = log_normalize(counts).logcounts;
    const auto pca = run_pca(logs, model_gene_var(logs, {.top = 300}).selected, {.components = 15});
    const auto scores = module_scores(logs, s.data.gene_names, {hepatic_marker_panels()[0], hepatic_marker_panels()[2]}).scores;
    std::vector<double> root(axis.size()), score(axis.size());
    for (std::size_t i = 0; i < axis.size(); ++i) root[i] = scores[0][i] - scores[1][i], score[i] = -root[i];
    const auto r = diffusion_pseudotime(pca.scores, root);
    const double rho_dpt = spearman(r.pseudotime, truth), rho_score = spearman(score, truth);
    std::printf("%zu axis cells: Spearman with true maturation: pseudotime %.3f, module-score difference %.3f\n", axis.size(),
                rho_dpt, rho_score);
    EXPECT_GE(rho_dpt, 0.85);
    EXPECT_GE(rho_score, 0.85);
}
