#pragma once
// k nearest neighbours of every cell in PC space (Euclidean), the cell itself first.
//  - exact: distances by blocked matrix products (|x|^2 + |y|^2 - 2 x.y), as BiocNeighbors'
//    exhaustive search; O(n^2) work, used up to `exact_max_cells`.
//  - hnsw: hnswlib's hierarchical navigable small-world graph (as Seurat's annoy and Scanpy's
//    pynndescent, an approximate search) for larger studies. The graph is built by inserting cells
//    one by one in order with a seeded level generator, so it never depends on the thread count;
//    the queries, read-only, run in parallel.
// Either way the result is a function of (points, options) only.
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Dense>

namespace kupffer::cluster {

enum class NeighborMethod {
    automatic,  ///< exact up to exact_max_cells, hnsw above
    exact,
    hnsw,
};

/// "auto", "exact" or "hnsw"; OptionError otherwise.
NeighborMethod parse_neighbor_method(const std::string& name);
const char* to_string(NeighborMethod method);

struct NeighborOptions {
    std::uint32_t k = 20;  ///< neighbours per cell, itself included (Seurat's k.param)
    NeighborMethod method = NeighborMethod::automatic;
    std::uint32_t exact_max_cells = 20'000;  ///< automatic: exact search up to this many cells
    std::uint32_t hnsw_m = 16;                ///< graph degree (hnswlib's M)
    std::uint32_t hnsw_ef_construction = 100; ///< candidate list while building
    std::uint32_t hnsw_ef_search = 100;       ///< candidate list while querying (raised to k if lower)
    std::uint64_t seed = 1;                   ///< hnsw level generator
    int threads = 0;                          ///< never changes the result
};

/// k nearest cells of each row of `points`, nearest first (ties by index), the cell itself first.
std::vector<std::vector<std::uint32_t>> nearest_neighbors(const Eigen::MatrixXd& points, const NeighborOptions& options = {});

/// The same for the points `queries` only (indices into `points`), in that order: all points are
/// candidates, only these are searched for.
std::vector<std::vector<std::uint32_t>> nearest_neighbors(const Eigen::MatrixXd& points, const std::vector<std::uint32_t>& queries,
                                                          const NeighborOptions& options);

/// The method `options` resolves to for `cells` cells.
NeighborMethod resolved_neighbor_method(std::uint32_t cells, const NeighborOptions& options);

}  // namespace kupffer::cluster
