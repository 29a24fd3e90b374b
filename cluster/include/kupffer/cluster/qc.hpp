#pragma once
// Per-cell quality control as scater/scuttle do it: UMIs, detected genes and mitochondrial
// fraction per cell, and outliers by median absolute deviations within each sample (low UMIs and
// genes on the log scale, high mitochondrial fraction). Flagged cells are reported, not dropped.
#include <cstdint>
#include <string>
#include <vector>

#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer::cluster {

/// The 13 mitochondrial protein-coding genes as rhesus macaque annotations (Mmul_10) name them,
/// without an "MT-" prefix.
const std::vector<std::string>& rhesus_mito_genes();

struct QcOptions {
    std::vector<std::string> mito_prefixes = {"MT-", "mt-"};  ///< gene-name prefixes of mitochondrial genes
    std::vector<std::string> mito_genes;  ///< and/or explicit names (e.g. rhesus_mito_genes())
    double nmads = 3.0;                   ///< scuttle::isOutlier's default
    double min_mad = 1e-8;                ///< a MAD below this means "no spread": no outliers on that metric
};

struct SampleThresholds {
    double min_umis = 0, min_genes = 0, max_mito_fraction = 1;
};

struct QcResults {
    std::vector<double> umis, genes, mito_fraction;
    std::vector<bool> low_umis, low_genes, high_mito, discard;  ///< discard = any of the three
    std::vector<SampleThresholds> thresholds;                  ///< per sample
    std::size_t mito_genes_found = 0;
    std::vector<bool> mito_gene;  ///< per gene of the matrix: counted as mitochondrial
};

/// `sample_of_cell[c]` groups cells for the thresholds (all zeros for one group).
QcResults quality_control(const CountMatrix& counts, const std::vector<std::string>& gene_names,
                          const std::vector<std::uint32_t>& sample_of_cell, const QcOptions& options);

}  // namespace kupffer::cluster
