#pragma once
// Counts-only simulated studies for the analysis tests: the simulator's true count matrices (no
// FASTQs), 3 groups x 3 animals, with the truth of every cell, made once per (seed, effect) in a
// test binary.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kupffer/cluster/aggregate.hpp"
#include "kupffer/core/sparse_matrix.hpp"
#include "kupffer/core/text_reader.hpp"
#include "kupffer/simulate/simulate.hpp"
#include "test_dir.hpp"

namespace kupffer::test {

struct TruthCell {
    std::string type;
    double maturation;  ///< NaN off the monocyte -> macrophage axis
    bool clean;         ///< a singlet, not damaged
    bool doublet = false;
    bool heterotypic = false;  ///< a doublet of two different cell types
};

struct AnalysisStudy {
    std::filesystem::path root;
    cluster::Dataset data;          ///< true cells only (empty droplets dropped)
    std::vector<TruthCell> truth;   ///< per cell of data
};

inline simulate::SimulateOptions analysis_study_options(std::uint64_t seed, double effect) {
    simulate::SimulateOptions o;
    o.seed = seed;
    o.threads = 2;
    o.animals_per_group = 3;
    o.cells = 400;
    o.umis_per_cell = 2000;
    o.empty_droplets_per_cell = 0.2;
    o.genes = 400;
    o.genome_size = 4'000'000;
    o.whitelist_size = 20'000;
    o.cytokine_effect_scale = effect;
    o.fastqs = false;
    o.read_truth = false;
    return o;
}

/// A counts-only study simulated with `options` (cached by `key` within a test binary).
inline const AnalysisStudy& simulated_study(const simulate::SimulateOptions& options, const std::string& key) {
    static TempDir dir;
    static std::map<std::string, std::unique_ptr<AnalysisStudy>> cache;
    auto& slot = cache[key];
    if (slot) return *slot;
    slot = std::make_unique<AnalysisStudy>();
    slot->root = dir / key;
    simulate::simulate(options, slot->root);
    const auto all = cluster::aggregate(cluster::read_samplesheet(slot->root / "samplesheet.csv"), {slot->root / "truth/counts", ""});
    std::map<std::string, TruthCell> truth;
    for (const auto& line : read_lines(slot->root / "truth/barcodes.tsv.gz")) {
        const auto f = split(line, '\t');
        if (f[0] == "sample" || f[2] != "1") continue;
        truth[std::string(f[0]) + "_" + std::string(f[1]) + "-1"] = {
            std::string(f[3]), f[4] == "NA" ? std::numeric_limits<double>::quiet_NaN() : std::stod(std::string(f[4])),
            f[8] == "0" && f[10] == "0", f[8] == "1", f[8] == "1" && f[9] != f[3]};
    }
    std::vector<std::uint32_t> keep;
    for (std::uint32_t c = 0; c < all.counts.n_cols; ++c)
        if (auto it = truth.find(all.cells[c]); it != truth.end()) keep.push_back(c), slot->truth.push_back(it->second);
    auto& d = slot->data;
    d.counts = select_columns(all.counts, keep);
    d.gene_ids = all.gene_ids;
    d.gene_names = all.gene_names;
    d.metadata_columns = all.metadata_columns;
    d.sample_names = all.sample_names;
    d.metadata.resize(all.metadata.size());
    for (auto c : keep) {
        d.cells.push_back(all.cells[c]);
        d.sample_of_cell.push_back(all.sample_of_cell[c]);
        for (std::size_t m = 0; m < all.metadata.size(); ++m) d.metadata[m].push_back(all.metadata[m][c]);
    }
    return *slot;
}


inline const AnalysisStudy& analysis_study(std::uint64_t seed = 21, double effect = 1.0) {
    return simulated_study(analysis_study_options(seed, effect), "study_" + std::to_string(seed) + "_" + std::to_string(effect));
}

}  // namespace kupffer::test
