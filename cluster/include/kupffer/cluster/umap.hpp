#pragma once
// UMAP (McInnes, Healy & Melville 2018) of a kNN graph into 2 (or more) dimensions: fuzzy
// memberships from each cell's nearest-neighbour distances (rho, sigma solved so the memberships
// sum to log2 k), symmetrised by fuzzy union; the embedding starts from the first PCs and is
// optimised by stochastic gradient descent with negative sampling and umap-learn's curve a, b.
//
// Deterministic with any thread count: each epoch moves every cell using the positions the other
// cells had at the start of the epoch, with random negative samples drawn from a stream seeded by
// (seed, epoch, cell); a cell's edges are visited in a fixed order. (umap-learn updates in place,
// Hogwild-style, which is not reproducible across threads.)
#include <cstdint>
#include <vector>

#include <Eigen/Dense>

namespace kupffer::cluster {

struct UmapOptions {
    std::uint32_t components = 2;
    std::uint32_t epochs = 0;        ///< 0 = 500 below 10,000 cells, else 200 (umap-learn's rule)
    double min_dist = 0.1;
    double spread = 1.0;
    double learning_rate = 1.0;
    std::uint32_t negative_samples = 5;
    double repulsion = 1.0;          ///< gamma
    std::uint64_t seed = 1;
    int threads = 0;                 ///< never changes the result
};

/// The curve 1 / (1 + a d^(2b)) closest (least squares) to the target given min_dist and spread.
std::pair<double, double> umap_curve(double min_dist, double spread);

/// `points` cells x dims (e.g. PCA scores) and each cell's neighbours (itself first, as
/// nearest_neighbors returns them). Returns cells x components.
Eigen::MatrixXd umap(const Eigen::MatrixXd& points, const std::vector<std::vector<std::uint32_t>>& neighbors,
                     const UmapOptions& options = {});

}  // namespace kupffer::cluster
