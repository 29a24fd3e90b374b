#pragma once
// Cytokines across treatment groups, the study's question: per cell type x group x timepoint, the
// fraction of cells expressing each cytokine and its mean log-expression; and per cell type and
// timepoint, a pseudobulk test between every pair of groups in which the replicates are samples
// (one animal at one timepoint), never cells: each sample's cells of that type are summed into one
// count vector, and the groups are compared with the quasi-likelihood test (quasi_likelihood.hpp)
// over all genes, so the FDR accounts for the whole transcriptome.
#include <cstdint>
#include <string>
#include <vector>

#include "kupffer/cluster/quasi_likelihood.hpp"
#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer::cluster {

struct CytokineOptions {
    std::vector<std::string> genes = {"IL6", "IL1B", "TNF", "CXCL8", "CCL2"};  ///< the reported panel
    std::uint32_t min_cells = 10;       ///< a sample's cells of a type below this: left out of that pseudobulk
    std::uint32_t min_replicates = 2;   ///< per group, for the group to enter a test
    QlOptions ql;
};

/// Per-cell study labels, as Dataset::metadata_of gives them.
struct CellDesign {
    std::vector<std::string> cell_type, group, timepoint, sample;
    std::vector<std::string> group_order;  ///< groups in samplesheet order (the first is the reference)
};

struct CytokineSummary {
    std::string cell_type, group, timepoint, gene;
    std::uint32_t cells = 0;
    double expressing = 0;        ///< fraction of cells with >= 1 UMI
    double mean_expression = 0;   ///< of log-normalised values
};

struct PseudobulkTable {
    std::string cell_type, timepoint;
    std::vector<std::string> samples, groups;  ///< per column
    std::vector<std::uint32_t> cells;          ///< per column
    Eigen::MatrixXd counts;                    ///< genes x samples
};

struct GroupComparison {
    std::string cell_type, timepoint, group, reference;
    QlResults test;  ///< per gene over the whole matrix
};

struct CytokineResults {
    std::vector<CytokineSummary> summary;
    std::vector<PseudobulkTable> pseudobulk;
    std::vector<GroupComparison> comparisons;
    std::vector<std::string> skipped;  ///< why a cell type / timepoint got no test
};

/// `counts` and `logcounts` genes x cells (the analysed cells); `gene_names` per row.
CytokineResults compare_cytokines(const CountMatrix& counts, const SparseMatrix<float>& logcounts,
                                  const std::vector<std::string>& gene_names, const CellDesign& design,
                                  const CytokineOptions& options = {});

}  // namespace kupffer::cluster
