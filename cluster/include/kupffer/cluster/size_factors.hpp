#pragma once
// scran's pooled ("deconvolution") size factors (Lun, Bach & Marioni 2016; scran::computeSumFactors
// / scuttle::pooledSizeFactors). Library sizes are biased when cell types differ in composition
// (a few very highly expressed genes); pooling cells removes most zeros, so a pool's size factor
// against an average pseudo-cell is the median ratio over genes, and each cell's factor is solved
// from many overlapping pools:
//  - within a cluster, cells are ordered by library size and laid on a ring (odd ranks up, even
//    ranks down); every window of each pool size (21, 26, ..., 101) is one equation: the pool's
//    median ratio = the sum of its cells' factors (library-size-scaled expression), plus one
//    low-weight equation per cell (weight 1e-6) pinning the system;
//  - the least-squares solution (normal equations, sparse Cholesky) times the library size is
//    the cell's factor; clusters are rescaled to a reference cluster (the one with the most
//    expressed genes) by the median ratio of their average profiles;
//  - factors are centred to mean 1. Genes below `min_mean` (library-size-scaled) are ignored.
// Differences from scuttle: the least squares solve uses the normal equations instead of a QR
// decomposition (same solution to ~1e-10 here); non-positive estimates (rare: very few counts)
// are replaced by the cell's library-size factor scaled by the median pooled/library ratio of
// its cluster instead of scuttle's nls fit against detected genes. Thread-independent.
#include <cstdint>
#include <vector>

#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer::cluster {

struct PooledSizeFactorOptions {
    std::vector<std::uint32_t> pool_sizes = {21, 26, 31, 36, 41, 46, 51, 56, 61, 66, 71, 76, 81, 86, 91, 96, 101};
    std::uint32_t max_cluster_size = 3000;  ///< larger clusters are split round-robin (scuttle)
    double min_mean = 0;  ///< 0 = scuttle's guess: 0.1 (UMI data, median library <= 50,000), 1 above 100,000
    int threads = 0;      ///< never changes the result
};

struct PooledSizeFactorResults {
    std::vector<double> size_factors;        ///< per cell, mean 1
    std::vector<std::uint32_t> pool_cluster; ///< per cell: the (split) cluster it was pooled in
    std::size_t replaced = 0;                ///< non-positive estimates replaced
    std::size_t genes_used = 0;              ///< genes above min_mean in the largest cluster
};

/// `clusters`: one label per cell (e.g. from a quick clustering), empty = one cluster. Every
/// cluster needs at least the smallest pool size of cells (OptionError otherwise); cells need
/// non-zero library sizes.
PooledSizeFactorResults pooled_size_factors(const CountMatrix& counts, const std::vector<std::uint32_t>& clusters,
                                            const PooledSizeFactorOptions& options = {});

}  // namespace kupffer::cluster
