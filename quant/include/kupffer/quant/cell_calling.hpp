#pragma once
// Telling cells from empty droplets, as Cell Ranger 3+ does: an OrdMag first pass (barcodes with
// at least a tenth of the 99th-percentile count among the expected cells), then EmptyDrops (Lun et
// al. 2019) on the rest: an ambient profile from low-count barcodes, a Dirichlet-multinomial
// likelihood of each barcode under it, Monte-Carlo p-values and Benjamini-Hochberg FDR.
// As DropletUtils::emptyDrops: genes with no count in any barcode are left out, the ambient
// proportions are Simple Good-Turing estimates (edgeR::goodTuringProportions, so genes absent from
// the ambient pool get their share of the unseen mass), and alpha is fitted on [0.01, 10,000].
#include <cstdint>
#include <vector>

#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer::quant {

struct CellCallingOptions {
    std::uint32_t expected_cells = 3000;  ///< OrdMag's N (Cell Ranger's --expect-cells default)
    double ordmag_quantile = 0.99;
    double ordmag_ratio = 10.0;
    std::uint32_t lower = 100;       ///< barcodes with at most this many UMIs form the ambient pool
    std::uint32_t iterations = 10000;///< Monte-Carlo simulations per p-value
    double fdr = 0.01;               ///< EmptyDrops cells: BH-adjusted p-value at most this
    bool emptydrops = true;          ///< false: OrdMag only
    std::uint64_t seed = 1;
    int threads = 0;                 ///< never changes the result
};

struct CellCallingResults {
    std::vector<bool> is_cell;       ///< per column
    std::vector<double> pvalue;      ///< EmptyDrops p-value (NaN where not tested)
    std::vector<double> fdr;         ///< BH-adjusted (NaN where not tested)
    double ordmag_threshold = 0;
    std::uint32_t ordmag_cells = 0;
    std::uint32_t emptydrops_cells = 0;  ///< added by EmptyDrops beyond OrdMag
    double alpha = 0;                    ///< fitted Dirichlet-multinomial concentration
};

CellCallingResults call_cells(const CountMatrix& counts, const CellCallingOptions& options);

/// Simple Good-Turing proportions of count categories (Gale & Sampson 1995, as
/// edgeR::goodTuringProportions): zero counts share the unseen mass P0 = n1 / N; seen counts get
/// the smoothed r* (Turing estimates while they differ significantly from the log-linear fit
/// of Z_r, then the fit), renormalised to 1 - P0. Categories still at 0 (no count of 1 seen)
/// get DropletUtils' pseudo-probability 1 / N shared among them.
std::vector<double> good_turing_proportions(const std::vector<double>& counts);

/// Benjamini-Hochberg adjusted p-values (NaN entries stay NaN and are not counted).
std::vector<double> benjamini_hochberg(const std::vector<double>& p);

}  // namespace kupffer::quant
