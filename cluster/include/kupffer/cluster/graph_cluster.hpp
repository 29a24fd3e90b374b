#pragma once
// Clustering cells as Seurat does: k nearest neighbours in PC space (neighbors.hpp), a
// shared-nearest-neighbour graph (Jaccard index of neighbour sets, pruned below 1/15), and
// Leiden on modularity with a resolution (igraph). Seeded and thread-independent.
#include <cstdint>
#include <string>
#include <vector>

#include "kupffer/cluster/neighbors.hpp"

namespace kupffer::cluster {

struct WeightedEdge {
    std::uint32_t from, to;  ///< from < to
    double weight;
};

/// Jaccard index of every pair of cells sharing a neighbour; pairs below `prune` are dropped.
std::vector<WeightedEdge> shared_neighbor_graph(const std::vector<std::vector<std::uint32_t>>& neighbors, double prune = 1.0 / 15);

enum class ClusterMethod {
    leiden,   ///< Traag et al. 2019 (Seurat's algorithm 4, Scanpy's default)
    louvain,  ///< Blondel et al. 2008 multi-level (Seurat's default, algorithm 1)
};

/// "leiden" or "louvain"; OptionError otherwise.
ClusterMethod parse_cluster_method(const std::string& name);

struct LeidenOptions {
    double resolution = 1.0;
    std::uint64_t seed = 1;
    double beta = 0.01;     ///< randomness of the refinement step (igraph's default)
    ClusterMethod method = ClusterMethod::leiden;
};

/// Modularity clusters (Leiden, or Louvain if asked) at a resolution, seeded: labels 0..K-1,
/// numbered by decreasing size (ties by first cell).
std::vector<std::uint32_t> leiden(std::uint32_t cells, const std::vector<WeightedEdge>& edges, const LeidenOptions& options = {});

/// Adjusted Rand index between two labelings of the same cells.
double adjusted_rand_index(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b);

}  // namespace kupffer::cluster
