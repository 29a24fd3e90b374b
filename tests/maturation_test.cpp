// Issue 18: a maturation measure that follows maturation, not the animals, and group tests with the
// animals as replicates — on simulated studies where every animal has its own level of every gene
// (log-normal sd 0.2), with group effects and without (null studies).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "analysis_study.hpp"
#include "kupffer/cluster/analysis_output.hpp"
#include "kupffer/cluster/maturation.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/random.hpp"
#include "kupffer/core/statistics.hpp"

using namespace kupffer;
using namespace kupffer::cluster;

namespace {

SparseMatrix<float> logcounts_from_dense(const std::vector<std::vector<double>>& genes_by_cells) {
    SparseMatrix<float> m;
    m.n_rows = static_cast<std::uint32_t>(genes_by_cells.size());
    m.n_cols = static_cast<std::uint32_t>(genes_by_cells[0].size());
    for (std::uint32_t c = 0; c < m.n_cols; ++c) {
        for (std::uint32_t g = 0; g < m.n_rows; ++g)
            if (genes_by_cells[g][c] != 0) m.row_indices.push_back(g), m.values.push_back(static_cast<float>(genes_by_cells[g][c]));
        m.col_offsets.push_back(m.row_indices.size());
    }
    return m;
}

/// 3 groups x 3 animals, 500 cells a sample, 1,500 genes, animals differing in every gene;
/// group_effect 0 is a null study (every group has control's biology).
const test::AnalysisStudy& maturation_study(std::uint64_t seed, double group_effect) {
    auto o = test::analysis_study_options(seed, 1.0);
    o.genes = 1500;
    o.genome_size = 12'000'000;
    o.cells = 500;
    o.umis_per_cell = 2500;
    o.animal_sd = 0.2;
    o.group_effect_scale = group_effect;
    return test::simulated_study(o, "maturation_" + std::to_string(seed) + "_" + std::to_string(group_effect));
}

struct StudyResult {
    AnalysisResults analysis;
    std::vector<std::vector<std::string>> maturation_tests, composition_tests;  ///< rows without the header
};

std::vector<std::vector<std::string>> read_tsv(const std::filesystem::path& path) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& line : read_lines(path)) {
        std::vector<std::string> row;
        for (auto f : split(line, '\t')) row.emplace_back(f);
        rows.push_back(std::move(row));
    }
    rows.erase(rows.begin());
    return rows;
}

StudyResult analyse_study(const test::AnalysisStudy& s) {
    auto o = default_analysis_options();
    o.threads = 2;
    StudyResult r{analyse(s.data, o), {}, {}};
    for (const auto& note : r.analysis.notes)
        if (note.rfind("maturation", 0) == 0) std::printf("%s: %s\n", s.root.filename().c_str(), note.c_str());
    const auto out = s.root / "analysis";
    AnalysisOutputOptions output;
    output.overwrite = true;
    write_analysis(s.data, r.analysis, o, out, output);
    r.maturation_tests = read_tsv(out / "maturation_tests.tsv");
    r.composition_tests = read_tsv(out / "composition_tests.tsv");
    return r;
}

struct Agreement {
    double spearman = 0;
    std::map<std::string, std::pair<double, double>> animal_means;  ///< animal -> (mean pseudotime, mean truth)
};

Agreement agreement_with_truth(const test::AnalysisStudy& s, const AnalysisResults& r) {
    const auto animal_column = static_cast<std::size_t>(
        std::find(s.data.metadata_columns.begin(), s.data.metadata_columns.end(), "animal") - s.data.metadata_columns.begin());
    std::vector<double> pseudotime, truth;
    std::map<std::string, std::pair<double, double>> sums;
    std::map<std::string, double> counts;
    for (std::size_t i = 0; i < r.analysed.size(); ++i) {
        const auto c = r.analysed[i];
        const auto& t = s.truth[c];
        if (!t.clean || std::isnan(t.maturation) || std::isnan(r.maturation_pseudotime[i])) continue;
        pseudotime.push_back(r.maturation_pseudotime[i]);
        truth.push_back(t.maturation);
        auto& sum = sums[s.data.metadata[animal_column][c]];
        sum.first += r.maturation_pseudotime[i], sum.second += t.maturation;
        counts[s.data.metadata[animal_column][c]] += 1;
    }
    Agreement a{spearman(pseudotime, truth), {}};
    for (const auto& [animal, sum] : sums) a.animal_means[animal] = {sum.first / counts[animal], sum.second / counts[animal]};
    return a;
}

double p_value_of(const std::vector<std::vector<std::string>>& rows, const std::string& feature, const std::string& group,
                  const std::string& reference) {
    for (const auto& row : rows)
        if (row[0] == feature && row[2] == group && row[3] == reference) return std::stod(row[11]);
    return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

namespace {

/// Four samples of 150 cells on a maturation axis m in [0, 1] (the fourth sample's cells 0.2
/// further on), 200 genes: 40 that follow m (slope +-1..2), the rest noise; every sample has its
/// own level of every gene (sd 1, far above the axis's own effect), and the panel score is m with
/// noise of sd 0.4, as a few noisy panel genes give.
struct AxisData {
    std::vector<std::vector<double>> x;  ///< genes x cells
    std::vector<std::uint32_t> block;
    std::vector<double> m, score;
};

AxisData axis_data(std::uint64_t seed) {
    Rng rng(seed);
    std::normal_distribution<double> z;
    AxisData d;
    const std::uint32_t cells = 600, genes = 200;
    std::vector<double> slope(genes, 0.0);
    for (std::uint32_t g = 0; g < 40; ++g) slope[g] = (g % 2 ? -1.0 : 1.0) * (1.0 + rng.uniform());
    std::vector<std::vector<double>> level(4, std::vector<double>(genes));
    for (auto& sample : level)
        for (auto& v : sample) v = z(rng);
    d.x.assign(genes, std::vector<double>(cells));
    for (std::uint32_t c = 0; c < cells; ++c) {
        d.block.push_back(c / 150);
        d.m.push_back(0.8 * rng.uniform() + (d.block.back() == 3 ? 0.2 : 0.0));
        d.score.push_back(d.m.back() + 0.4 * z(rng));
        for (std::uint32_t g = 0; g < genes; ++g) d.x[g][c] = 6.0 + level[d.block.back()][g] + slope[g] * d.m.back() + 0.5 * z(rng);
    }
    return d;
}

}  // namespace

TEST(Spearman, KnownValues) {
    EXPECT_NEAR(spearman({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0, 1e-12);
    EXPECT_NEAR(spearman({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0, 1e-12);
    // R: cor(c(1,2,3,4,5), c(2,1,4,3,5), method = "spearman") = 0.8
    EXPECT_NEAR(spearman({1, 2, 3, 4, 5}, {2, 1, 4, 3, 5}), 0.8, 1e-12);
    EXPECT_TRUE(std::isnan(spearman({1, 2}, {1, 2})));
}

TEST(MaturationTrajectory, FollowsTheAxisNotTheSamplesAndKeepsTheirShift) {
    const auto d = axis_data(3);
    const auto r = maturation_trajectory(logcounts_from_dense(d.x), d.block, d.score);
    ASSERT_EQ(r.pseudotime.size(), d.m.size());
    EXPECT_EQ(*std::min_element(r.pseudotime.begin(), r.pseudotime.end()), 0.0);
    EXPECT_EQ(*std::max_element(r.pseudotime.begin(), r.pseudotime.end()), 1.0);
    const double rho = spearman(r.pseudotime, d.m), score_rho = spearman(d.score, d.m);
    std::printf("pseudotime Spearman %.3f (score alone %.3f) after %u rounds, %zu genes weighted\n", rho, score_rho, r.rounds,
                r.genes.size());
    EXPECT_GE(rho, 0.95);
    EXPECT_GT(rho, score_rho + 0.1);
    EXPECT_LT(r.rounds, 20U);
    // The axis genes carry the weight (those the within-sample variance kept as candidates), the
    // heaviest signed as their slopes; noise genes get little or none.
    ASSERT_GE(r.genes.size(), 30U);
    for (std::size_t i = 0; i < 30; ++i) {
        EXPECT_LT(r.genes[i], 40U) << "weight " << i;
        EXPECT_EQ(r.weights[i] > 0, r.genes[i] % 2 == 0) << "gene " << r.genes[i];
    }
    // The fourth sample's cells matured further; the sample effects (sd 1 a gene) did not move it.
    double shifted = 0, others = 0;
    for (std::size_t c = 0; c < d.m.size(); ++c) (d.block[c] == 3 ? shifted : others) += r.pseudotime[c];
    EXPECT_GT(shifted / 150 - others / 450, 0.1);
    EXPECT_LT(shifted / 150 - others / 450, 0.35);
}

TEST(MaturationTrajectory, RefusesTooLittleToFit) {
    auto d = axis_data(4);
    EXPECT_THROW(maturation_trajectory(logcounts_from_dense(d.x), {0, 1}, d.score), OptionError);
    for (auto& gene : d.x) std::fill(gene.begin(), gene.end(), 1.0);  // nothing varies
    EXPECT_THROW(maturation_trajectory(logcounts_from_dense(d.x), d.block, d.score), OptionError);
}

TEST(ModelGeneVarBlocked, SelectsGenesThatVaryWithinSamplesNotBetween) {
    // Gene 0 differs only between the two samples (an animal effect); gene 1 varies within them.
    // 60 more genes with a little noise set the technical trend.
    std::vector<std::vector<double>> x(62, std::vector<double>(200, 0.0));
    std::vector<std::uint32_t> block(200);
    for (std::uint32_t c = 0; c < 200; ++c) {
        block[c] = c < 100 ? 0 : 1;
        x[0][c] = c < 100 ? 1.0 : 3.0;
        x[1][c] = 2.0 + 0.8 * ((c % 2) ? 1 : -1);
        for (std::uint32_t g = 2; g < 62; ++g) x[g][c] = 0.5 + 0.05 * g + 0.1 * ((c + g) % 3);
    }
    const auto m = logcounts_from_dense(x);
    HvgOptions o;
    o.top = 1;
    o.min_mean = 0;
    EXPECT_EQ(model_gene_var(m, o).selected, std::vector<std::uint32_t>{0});
    EXPECT_EQ(model_gene_var_blocked(m, block, o).selected, std::vector<std::uint32_t>{1});
}

TEST(Maturation, FollowsMaturationNotTheAnimalsAndFindsTheGroupEffects) {
    const auto& s = maturation_study(11, 1.0);
    const auto r = analyse_study(s);
    const auto a = agreement_with_truth(s, r.analysis);
    std::vector<double> animal_pseudotime, animal_truth;
    for (const auto& [animal, means] : a.animal_means) animal_pseudotime.push_back(means.first), animal_truth.push_back(means.second);
    const double animals_rho = spearman(animal_pseudotime, animal_truth);
    std::printf("effect study: pseudotime Spearman with true maturation %.3f; per-animal means %.3f; panel agreement %.3f\n",
                a.spearman, animals_rho, r.analysis.maturation_agreement);
    EXPECT_GE(a.spearman, 0.85);
    EXPECT_GE(animals_rho, 0.8);
    EXPECT_GE(r.analysis.maturation_agreement, 0.5);
    // The simulated effects, animals as replicates: monocytes mature further in ALF than in control
    // and with hUC-MSCs, and more of them are in the ALF liver.
    EXPECT_LT(p_value_of(r.maturation_tests, "pseudotime", "ALF", "control"), 0.05);
    EXPECT_LT(p_value_of(r.maturation_tests, "pseudotime", "ALF+hUC-MSC", "ALF"), 0.05);
    const double lineage_p = std::min(p_value_of(r.composition_tests, "classical_monocyte", "ALF", "control"),
                                      p_value_of(r.composition_tests, "mo_macrophage", "ALF", "control"));
    EXPECT_LT(lineage_p, 0.05);
}

TEST(Maturation, NullStudiesGiveAMaturationAxisAndNoGroupDifferences) {
    // Three null studies (no group effect at all), animals differing as in the effect study.
    std::size_t tests = 0, below_05 = 0, below_fdr = 0;
    for (std::uint64_t seed : {12, 13, 14}) {
        const auto& s = maturation_study(seed, 0.0);
        const auto r = analyse_study(s);
        const auto a = agreement_with_truth(s, r.analysis);
        // Animals differ a little in how far their monocytes mature (as real ones do); the pseudotime's
        // per-animal means must follow that, not the animals' expression levels: after the one
        // offset between the two scales, no animal is off by more than 0.1.
        std::vector<double> offsets;
        for (const auto& [animal, means] : a.animal_means) offsets.push_back(means.first - means.second);
        std::sort(offsets.begin(), offsets.end());
        const double median_offset = offsets[offsets.size() / 2];
        double worst = 0;
        for (double d : offsets) worst = std::max(worst, std::abs(d - median_offset));
        std::printf("null study %llu: pseudotime Spearman with true maturation %.3f; worst animal off by %.3f\n",
                    static_cast<unsigned long long>(seed), a.spearman, worst);
        EXPECT_GE(a.spearman, 0.85);
        EXPECT_LE(worst, 0.1);
        for (const auto* rows : {&r.maturation_tests, &r.composition_tests})
            for (const auto& row : *rows) {
                ++tests;
                below_05 += std::stod(row[11]) < 0.05;
                below_fdr += row.size() > 12 && std::stod(row[12]) < 0.05;
            }
    }
    std::printf("null studies: %zu of %zu group tests below p 0.05, %zu below FDR 0.05\n", below_05, tests, below_fdr);
    EXPECT_GT(tests, 90U);
    EXPECT_LE(static_cast<double>(below_05), 0.05 * static_cast<double>(tests));
    EXPECT_EQ(below_fdr, 0U);
}
