#pragma once
// Harmony (Korsunsky et al. 2019): corrects PCs so that cells cluster by biology rather than by
// animal or sample. Soft k-means on cosine-normalised PCs with a diversity penalty (theta) that
// pushes every cluster to hold all batches in proportion, then a per-cluster ridge regression
// (mixture of experts) removes each batch's offset from the original PCs; repeated to convergence.
// Seeded (k-means start, block order) and single-threaded linear algebra: reproducible.
#include <cstdint>
#include <vector>

#include <Eigen/Dense>

namespace kupffer::cluster {

struct HarmonyOptions {
    std::uint32_t clusters = 0;   ///< 0 = min(100, cells / 30) (Harmony's default)
    double theta = 2.0;           ///< diversity penalty
    double sigma = 0.1;           ///< soft k-means bandwidth
    double lambda = 1.0;          ///< ridge penalty of the batch effects
    std::uint32_t max_iterations = 10;  ///< rounds of clustering + correction
    std::uint32_t max_cluster_iterations = 20;
    double block_size = 0.05;     ///< fraction of cells updated at once
    double tolerance = 1e-4;      ///< relative change of the objective that stops a loop
    std::uint64_t seed = 1;
};

struct HarmonyResults {
    Eigen::MatrixXd corrected;    ///< cells x dims
    std::uint32_t iterations = 0;
    bool converged = false;
};

/// `pcs` cells x dims; `batch` per cell, 0..B-1.
HarmonyResults harmony(const Eigen::MatrixXd& pcs, const std::vector<std::uint32_t>& batch, const HarmonyOptions& options = {});

}  // namespace kupffer::cluster
