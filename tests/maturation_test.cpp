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

TEST(RemoveBlockEffects, MatchesLimmaRemoveBatchEffect) {
    // R: limma::removeBatchEffect(x, batch, covariates = depth, design = model.matrix(~score)),
    // plus the depth term at its mean (kupffer centres the nuisance covariate; limma does not).
    const std::vector<std::vector<double>> x = {{1, 2, 0, 3, 5, 4, 2, 6}, {0, 0, 1, 0, 2, 3, 2, 2}, {4, 1, 2, 2, 0, 1, 3, 0}};
    const std::vector<std::uint32_t> block = {0, 0, 0, 1, 1, 2, 2, 2};
    const std::vector<double> score = {-1, 0.5, 0.2, 1, -0.3, 0.8, -0.6, 0.1};
    const std::vector<double> depth = {7, 7.5, 6.8, 7.2, 8, 7.1, 6.9, 7.7};
    const double expected[8][3] = {
        {3.15505772429312, 0.930695789713988, 3.242338975312265}, {2.46098669406125, 0.738884812314517, 1.680319603430842},
        {2.83268613638587, 2.007420180673777, 0.667146724064832}, {3.29903776538499, 0.343189674852428, 1.289485047125197},
        {2.58852411701399, 2.036292111013274, 1.590254052114922}, {3.32467909206536, 1.927516061703030, 0.958296318038023},
        {2.00230750415811, 1.004240452662818, 2.383104066790594}, {3.29179385578711, 0.697342888823663, 1.683873071780319}};
    const auto y = remove_block_effects(logcounts_from_dense(x), {0, 1, 2}, block, score, depth);
    ASSERT_EQ(y.rows(), 8);
    ASSERT_EQ(y.cols(), 3);
    for (int c = 0; c < 8; ++c)
        for (int g = 0; g < 3; ++g) EXPECT_NEAR(y(c, g), expected[c][g], 1e-9) << "cell " << c << " gene " << g;
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
