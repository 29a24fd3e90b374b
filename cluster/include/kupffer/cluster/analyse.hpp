#pragma once
// The whole analysis of a study as one free function: QC -> normalise -> variable genes -> PCA ->
// (optional) integration by animal/sample -> kNN -> SNN -> Leiden -> UMAP -> markers -> cell
// types -> monocyte->macrophage maturation -> cytokines across groups (per-animal pseudobulk).
// (Doublets are scored per sample after QC.) Each step is its own header; this one chains them with the study's defaults and keeps every
// intermediate a user (or write_analysis) needs.
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Dense>

#include "kupffer/cluster/aggregate.hpp"
#include "kupffer/cluster/annotate.hpp"
#include "kupffer/cluster/cytokines.hpp"
#include "kupffer/cluster/doublets.hpp"
#include "kupffer/cluster/graph_cluster.hpp"
#include "kupffer/cluster/hvg.hpp"
#include "kupffer/cluster/integrate.hpp"
#include "kupffer/cluster/markers.hpp"
#include "kupffer/cluster/normalize.hpp"
#include "kupffer/cluster/pca.hpp"
#include "kupffer/cluster/maturation.hpp"
#include "kupffer/cluster/qc.hpp"
#include "kupffer/cluster/size_factors.hpp"
#include "kupffer/cluster/umap.hpp"

namespace kupffer::cluster {

/// How cells' size factors are computed (see AnalysisOptions::size_factors).
enum class SizeFactorMethod { Library, Pooled };
/// Which variance model picks the highly variable genes.
enum class HvgMethod { ModelGeneVar, Vst };
/// From the names users give ("library"/"pooled", "modelgenevar"/"vst"); OptionError otherwise.
SizeFactorMethod parse_size_factor_method(const std::string& name);
HvgMethod parse_hvg_method(const std::string& name);
const char* to_string(SizeFactorMethod method);
const char* to_string(HvgMethod method);

struct AnalysisOptions {
    QcOptions qc;                  ///< MT-/mt- prefixes plus rhesus names (set by default_analysis_options)
    bool keep_qc_failures = false; ///< analyse the flagged cells too (they stay flagged)
    bool score_doublets = true;    ///< simulated-doublet scores per sample (doublets.hpp)
    DoubletOptions doublets;
    bool remove_doublets = false;  ///< leave predicted doublets out of the analysis (they stay reported)
    /// Library (scuttle's library-size factors) or Pooled (scran's deconvolution within quick
    /// clusters: a first clustering on library-size-normalised data, clusters under
    /// quick_cluster_min_size merged into the nearest by PC centroid, as scran::quickCluster).
    SizeFactorMethod size_factors = SizeFactorMethod::Library;
    PooledSizeFactorOptions pooled;
    std::uint32_t quick_cluster_min_size = 100;
    HvgMethod hvg_method = HvgMethod::ModelGeneVar;  ///< or Vst (Seurat)
    HvgOptions hvg;                ///< top 2000
    PcaOptions pca;                ///< 50 components, unscaled (scran/scanpy default on log-expression)
    std::string integrate_by;      ///< samplesheet column to correct PCs for (e.g. "animal"); empty = none
    HarmonyOptions harmony;
    NeighborOptions neighbors;     ///< k = 20
    LeidenOptions leiden;          ///< resolution 1
    std::uint32_t umap_neighbors = 15;
    UmapOptions umap;
    std::vector<MarkerPanel> panels = hepatic_marker_panels();
    AnnotateOptions annotate;
    std::string trajectory_start = "classical_monocyte";  ///< panel at the root of the maturation axis
    std::string trajectory_end = "mo_macrophage";         ///< panel at its end
    MaturationOptions maturation;  ///< the axis's one-factor fit (analyse sets its trend options to `hvg` and its excluded genes)
    CytokineOptions cytokines;
    std::string group_column = "group", timepoint_column = "timepoint", animal_column = "animal";
    std::uint64_t seed = 1;        ///< seeds every random step (PCA start, Leiden, UMAP, controls)
    int threads = 0;               ///< never changes the result
};

/// Defaults plus the rhesus macaque mitochondrial gene names.
AnalysisOptions default_analysis_options();

struct AnalysisResults {
    QcResults qc;                          ///< all cells of the dataset
    DoubletResults doublets;               ///< all cells of the dataset (NaN: not scored, e.g. failed QC)
    std::vector<std::uint32_t> analysed;   ///< dataset cell indices kept for analysis
    CountMatrix counts;                    ///< genes x analysed cells
    NormalizeResults normalized;
    std::vector<std::uint32_t> quick_clusters;  ///< per analysed cell, with pooled size factors (empty otherwise)
    HvgResults hvg;
    PcaResults pca;
    Eigen::MatrixXd embedding;             ///< PCs used downstream (integrated if asked)
    std::vector<std::uint32_t> clusters;
    Eigen::MatrixXd umap;
    MarkerResults markers;
    AnnotateResults annotation;
    /// Per analysed cell: its cluster's label; on the maturation axis (clusters named after either
    /// end), the end whose panel scores higher for the cell.
    std::vector<std::string> cell_type;
    std::vector<double> maturation_pseudotime, maturation_score;  ///< NaN off the axis
    std::vector<std::uint32_t> trajectory_cells;  ///< analysed-cell indices on the axis
    /// Spearman correlation of the pseudotime with the panel score on the axis (NaN without one):
    /// low values mean the trajectory follows something other than maturation.
    double maturation_agreement = std::numeric_limits<double>::quiet_NaN();
    CytokineResults cytokines;
    std::vector<std::string> notes;        ///< what was skipped and why
    /// Results that are possible but implausible, or options that could not be honoured (cytokines
    /// the reference lacks, more PCs than the data allows, a sample without cells): shown as warnings.
    std::vector<std::string> warnings;
    std::vector<std::pair<std::string, double>> step_seconds;  ///< wall time of each step (for logs, not outputs)
};

AnalysisResults analyse(const Dataset& data, const AnalysisOptions& options);

}  // namespace kupffer::cluster
