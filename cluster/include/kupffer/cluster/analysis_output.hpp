#pragma once
// Everything `kupffer analyse` leaves in its folder (docs/analyse.md describes each file):
//   analysis.h5ad          AnnData: X = log-normalised, layers/counts; obs = sample metadata, QC,
//                          cluster, cell type, maturation; obsm = X_pca, X_umap; uns = parameters
//   cells.tsv.gz           every cell, QC metrics and flags, and (if analysed) its results
//   clusters.tsv           per cluster: size, cell type, confidence, mean panel scores
//   markers.tsv            top markers per cluster (Wilcoxon, AUC, log2FC, detection, FDR)
//   composition.tsv        cell types per sample (with group, timepoint, animal)
//   cytokines.tsv          per cell type x group x timepoint: fraction expressing, mean expression
//   cytokine_tests.tsv     per-animal pseudobulk QL tests between groups, for the cytokine panel
//   pseudobulk_de.tsv.gz   the same tests for every tested gene
//   pseudobulk/            the pseudobulk count tables (gene x sample) and their sample sheets
//   maturation.tsv         pseudotime and maturation score per group x timepoint x animal
//   plots/*.svg            UMAP by cluster/cell type/group, IL6 (and panel) violins, maturation,
//                          composition
//   analysis_summary.json  counts and notes
//   (the resolved options: kupffer_analyse.json, written by kupffer::pipeline)
// The folder is built under "<out>.partial" and renamed when complete.
#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "kupffer/cluster/analyse.hpp"

namespace kupffer::cluster {

struct AnalysisOutputOptions {
    std::size_t markers_per_cluster = 100;
    bool overwrite = false;
    nlohmann::json parameters;  ///< the resolved options, stored in uns (never the thread count)
    /// May add files (a provenance manifest) to the staging folder before it is renamed into place.
    std::function<void(const std::filesystem::path& staging)> before_commit;
};

void write_analysis(const Dataset& data, const AnalysisResults& results, const AnalysisOptions& options,
                    const std::filesystem::path& out_dir, const AnalysisOutputOptions& output = {});

}  // namespace kupffer::cluster
