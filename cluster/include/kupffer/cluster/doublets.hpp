#pragma once
// Doublet scores by simulated doublets and their neighbours, as Scrublet (Wolock et al. 2019) and
// scDblFinder's first step compute them. Per sample (doublets form within one droplet run):
//  1. simulate doublets by adding the raw counts of random pairs of the sample's cells;
//  2. normalise observed and simulated cells to the observed mean library size, log1p, keep the
//     sample's highly variable genes (modelGeneVar), PCA fitted on the observed cells only, and
//     project the simulated ones into it;
//  3. find each cell's k nearest neighbours among observed + simulated cells; with q the
//     (pseudo-counted) fraction of simulated neighbours, r the simulated:observed ratio and rho the
//     expected doublet rate, the score is Scrublet's q rho / r / (1 - rho - q (1 - rho - rho / r));
//  4. call doublets above a threshold at the minimum between the two modes of the observed
//     cells' scores (singlets vs doublets); where they show no two modes, between the two modes
//     of the simulated doublets' scores (neotypic vs embedded, Scrublet's rule), else Otsu's
//     threshold of those. (Scrublet's rule alone placed the threshold far too low on samples of
//     30,000 cells: 17-25% called where 3% were doublets; the observed valley called 2.6%, 79%
//     of them true, recall 75%. On 400-cell samples both agree.)
// Seeded, thread-independent.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kupffer/cluster/neighbors.hpp"
#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer::cluster {

struct DoubletOptions {
    double simulated_ratio = 2.0;  ///< simulated doublets per observed cell (Scrublet's sim_doublet_ratio)
    std::uint32_t k = 0;           ///< neighbours among observed cells; 0 = round(sqrt(cells) / 2) (Scrublet)
    /// Expected doublet fraction of a sample; 0 = 10x's loading guidance, 0.8% per 1,000 cells
    /// recovered (at least 1%).
    double expected_rate = 0;
    /// Simulated doublets scored themselves (evenly spaced; all are neighbour candidates): for the
    /// fallback threshold and the detectable fraction, which need no more.
    std::uint32_t scored_simulated = 10000;
    std::size_t hvgs = 2000;
    std::size_t components = 30;
    std::uint32_t min_cells = 50;  ///< samples with fewer cells are not scored (NaN, noted)
    /// Search method (k is set from the above); a lighter HNSW build than clustering's, as only
    /// the fraction of simulated neighbours matters.
    NeighborOptions neighbors = {.hnsw_ef_construction = 40};
    std::uint64_t seed = 1;
    int threads = 0;
};

struct DoubletResults {
    std::vector<double> score;     ///< per cell; NaN where not scored
    std::vector<bool> predicted;   ///< score above its sample's threshold
    std::vector<double> threshold; ///< per sample (NaN where not scored)
    std::vector<double> rate;      ///< per sample: the expected rate used
    /// Per sample, as Scrublet reports them: the fraction of simulated doublets above the
    /// threshold (detectable), and called cells / detectable (the doublet rate this implies; far
    /// above the expected rate means the threshold is too low for this sample).
    std::vector<double> detectable, implied_rate;
    std::vector<std::string> notes;
};

/// `counts`: genes x cells; `sample_of_cell[c]` < samples. Cells of a sample are scored together.
DoubletResults doublet_scores(const CountMatrix& counts, const std::vector<std::uint32_t>& sample_of_cell, std::uint32_t samples,
                              const DoubletOptions& options = {});

/// A threshold between the two modes of `values` (skimage's threshold_minimum: the histogram is
/// smoothed until it has two maxima; the middle of the lowest stretch between them); nullopt if
/// it never gets there.
std::optional<double> bimodal_threshold(const std::vector<double>& values, std::size_t bins = 256);

/// Otsu's threshold of `values` (maximum between-class variance over a histogram of `bins`).
double otsu_threshold(const std::vector<double>& values, std::size_t bins = 256);

}  // namespace kupffer::cluster
