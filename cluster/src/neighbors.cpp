#include "kupffer/cluster/neighbors.hpp"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <numeric>
#include <utility>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/parallel.hpp"

namespace kupffer::cluster {

NeighborMethod parse_neighbor_method(const std::string& name) {
    if (name == "auto") return NeighborMethod::automatic;
    if (name == "exact") return NeighborMethod::exact;
    if (name == "hnsw") return NeighborMethod::hnsw;
    throw OptionError("unknown neighbour search '" + name + "' (auto, exact or hnsw)");
}

const char* to_string(NeighborMethod method) {
    switch (method) {
        case NeighborMethod::automatic: return "auto";
        case NeighborMethod::exact: return "exact";
        case NeighborMethod::hnsw: return "hnsw";
    }
    return "?";
}

NeighborMethod resolved_neighbor_method(std::uint32_t cells, const NeighborOptions& options) {
    if (options.method != NeighborMethod::automatic) return options.method;
    return cells <= options.exact_max_cells ? NeighborMethod::exact : NeighborMethod::hnsw;
}

namespace {

using Candidate = std::pair<double, std::uint32_t>;  // distance, cell

/// The cell itself, then the k - 1 nearest other candidates by (distance, index).
void keep_nearest(std::uint32_t self, std::vector<Candidate>& candidates, std::uint32_t k, std::vector<std::uint32_t>& out) {
    std::erase_if(candidates, [&](const Candidate& c) { return c.second == self; });
    const std::size_t take = std::min<std::size_t>(k - 1, candidates.size());
    std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(take), candidates.end());
    out.clear();
    out.push_back(self);
    for (std::size_t q = 0; q < take; ++q) out.push_back(candidates[q].second);
}

constexpr std::size_t kQueryChunk = 64;

std::vector<std::vector<std::uint32_t>> exact_neighbors(const Eigen::MatrixXd& points, const std::vector<std::uint32_t>& queries,
                                                        const NeighborOptions& o) {
    const auto n = static_cast<std::uint32_t>(points.rows());
    const Eigen::VectorXd norms = points.rowwise().squaredNorm();
    const Eigen::MatrixXd transposed = points.transpose();
    std::vector<std::vector<std::uint32_t>> out(queries.size());
    parallel_chunks(queries.size(), kQueryChunk, o.threads, [&](std::size_t, std::size_t a, std::size_t b) {
        const auto rows = static_cast<Eigen::Index>(b - a);
        Eigen::MatrixXd query(rows, points.cols());
        for (Eigen::Index r = 0; r < rows; ++r) query.row(r) = points.row(queries[a + static_cast<std::size_t>(r)]);
        // Squared distances of this chunk of queries to every cell, by one matrix product.
        using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        RowMajor d = -2.0 * (query * transposed);
        d.colwise() += query.rowwise().squaredNorm();
        d.rowwise() += norms.transpose();
        // The k - 1 nearest others by one scan with a bounded max-heap of (distance, cell).
        std::vector<Candidate> heap;
        heap.reserve(o.k);
        for (Eigen::Index r = 0; r < rows; ++r) {
            const auto self = queries[a + static_cast<std::size_t>(r)];
            heap.clear();
            for (std::uint32_t j = 0; j < n; ++j) {
                if (j == self) continue;
                const Candidate c{d(r, j), j};
                if (heap.size() + 1 < o.k) {
                    heap.push_back(c);
                    std::push_heap(heap.begin(), heap.end());
                } else if (!heap.empty() && c < heap.front()) {
                    std::pop_heap(heap.begin(), heap.end());
                    heap.back() = c;
                    std::push_heap(heap.begin(), heap.end());
                }
            }
            keep_nearest(self, heap, o.k, out[a + static_cast<std::size_t>(r)]);
        }
    });
    return out;
}

std::vector<std::vector<std::uint32_t>> hnsw_neighbors(const Eigen::MatrixXd& points, const std::vector<std::uint32_t>& queries,
                                                       const NeighborOptions& o) {
    const auto n = static_cast<std::uint32_t>(points.rows());
    const auto dims = static_cast<std::size_t>(points.cols());
    // Row-major single precision, as hnswlib stores vectors.
    const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> data = points.cast<float>();
    hnswlib::L2Space space(dims);
    hnswlib::HierarchicalNSW<float> index(&space, n, o.hnsw_m, o.hnsw_ef_construction, static_cast<std::size_t>(o.seed));
    for (std::uint32_t i = 0; i < n; ++i) index.addPoint(data.row(i).data(), i);  // in order: thread-independent graph
    index.setEf(std::max<std::size_t>(o.hnsw_ef_search, o.k + 1));
    std::vector<std::vector<std::uint32_t>> out(queries.size());
    parallel_chunks(queries.size(), kQueryChunk, o.threads, [&](std::size_t, std::size_t a, std::size_t b) {
        std::vector<Candidate> candidates;
        for (std::size_t q = a; q < b; ++q) {
            const auto i = queries[q];
            auto found = index.searchKnn(data.row(static_cast<Eigen::Index>(i)).data(), o.k + 1);
            candidates.clear();
            for (; !found.empty(); found.pop()) candidates.emplace_back(found.top().first, static_cast<std::uint32_t>(found.top().second));
            keep_nearest(i, candidates, o.k, out[q]);
        }
    });
    return out;
}

}  // namespace

std::vector<std::vector<std::uint32_t>> nearest_neighbors(const Eigen::MatrixXd& points, const std::vector<std::uint32_t>& queries,
                                                          const NeighborOptions& options) {
    const auto n = static_cast<std::uint32_t>(points.rows());
    if (options.k == 0 || options.k > n) throw OptionError("k must be between 1 and the number of cells");
    for (auto q : queries)
        if (q >= n) throw OptionError("nearest_neighbors: query index out of range");
    if (resolved_neighbor_method(n, options) == NeighborMethod::exact) return exact_neighbors(points, queries, options);
    if (options.hnsw_m < 2) throw OptionError("hnsw M must be at least 2");
    return hnsw_neighbors(points, queries, options);
}

std::vector<std::vector<std::uint32_t>> nearest_neighbors(const Eigen::MatrixXd& points, const NeighborOptions& options) {
    std::vector<std::uint32_t> all(static_cast<std::size_t>(points.rows()));
    std::iota(all.begin(), all.end(), 0U);
    return nearest_neighbors(points, all, options);
}

}  // namespace kupffer::cluster
