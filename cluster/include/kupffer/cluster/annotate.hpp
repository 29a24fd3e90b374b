#pragma once
// Naming hepatic immune cell types from marker panels. Each panel is scored per cell as Seurat's
// AddModuleScore does: the mean log-expression of the panel's genes minus that of control genes
// drawn from the same expression bins (24 bins by average expression, 100 controls per panel
// gene), so a panel of highly expressed genes does not win merely for being highly expressed.
// A cell takes the best-scoring panel; a cluster takes the panel with the highest mean score over
// its cells, with a confidence = the fraction of its cells whose own best panel agrees.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer::cluster {

struct MarkerPanel {
    std::string cell_type;           ///< e.g. "kupffer_cell"
    std::vector<std::string> genes;  ///< gene names
};

/// The built-in panels for liver and blood immune cells (and the liver's parenchymal and stromal
/// cells that end up in such suspensions), from the hepatic single-cell literature (MacParland et
/// al. 2018, Ramachandran et al. 2019, Guilliams et al. 2022). docs/analyse.md lists them.
const std::vector<MarkerPanel>& hepatic_marker_panels();

/// The panel of `cell_type`, or nullptr; and every panel's cell type, comma-separated (for messages).
const MarkerPanel* find_panel(const std::vector<MarkerPanel>& panels, const std::string& cell_type);
std::string panel_names(const std::vector<MarkerPanel>& panels);

/// Panels from a text file, one per line: `<cell type><TAB or comma><gene>[,<gene>...]`; `#`
/// starts a comment. InputError naming the file and line for an empty panel or a duplicate type.
std::vector<MarkerPanel> read_marker_panels(const std::filesystem::path& path);

struct ModuleScoreOptions {
    std::uint32_t bins = 24;      ///< Seurat's nbin
    std::uint32_t controls = 100; ///< Seurat's ctrl: control genes per panel gene
    std::uint64_t seed = 1;
    int threads = 0;
};

struct ModuleScoreResults {
    std::vector<std::vector<double>> scores;      ///< per panel, per cell
    std::vector<std::vector<std::uint32_t>> genes_used;  ///< per panel: gene indices found
    std::vector<std::vector<std::string>> genes_missing; ///< per panel: names not in the matrix
};

/// `logcounts` genes x cells; `gene_names` per row. A panel none of whose genes is present scores
/// NaN for every cell (and is reported in genes_missing).
ModuleScoreResults module_scores(const SparseMatrix<float>& logcounts, const std::vector<std::string>& gene_names,
                                 const std::vector<MarkerPanel>& panels, const ModuleScoreOptions& options = {});

struct AnnotateOptions {
    ModuleScoreOptions scores;
    double min_score = 0.0;  ///< a cell whose best score is not above this is "unassigned"
};

struct AnnotateResults {
    ModuleScoreResults module;
    std::vector<std::string> cell_label;       ///< per cell: best panel or "unassigned"
    std::vector<double> cell_margin;           ///< per cell: best minus second-best score
    std::vector<std::string> cluster_label;    ///< per cluster
    std::vector<double> cluster_confidence;    ///< per cluster: fraction of cells agreeing
    std::vector<std::vector<double>> cluster_mean_score;  ///< per cluster, per panel
};

AnnotateResults annotate_cells(const SparseMatrix<float>& logcounts, const std::vector<std::string>& gene_names,
                               const std::vector<std::uint32_t>& clusters, const std::vector<MarkerPanel>& panels,
                               const AnnotateOptions& options = {});

}  // namespace kupffer::cluster
