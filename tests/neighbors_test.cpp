// nearest_neighbors: the exact search against a brute-force reference, and hnsw's recall of the
// exact neighbours on clustered points; both thread-independent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "kupffer/cluster/neighbors.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/random.hpp"

using namespace kupffer;
using namespace kupffer::cluster;

namespace {

double normal(Rng& rng) {  // Box-Muller
    const double u = 1.0 - rng.uniform(), v = rng.uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
}

/// `n` points in `dims` dimensions around `centres` Gaussian centres (a PC space with cell types).
Eigen::MatrixXd clustered_points(std::uint32_t n, std::uint32_t dims, std::uint32_t centres, std::uint64_t seed) {
    Rng rng(seed);
    Eigen::MatrixXd centre(centres, dims), x(n, dims);
    for (Eigen::Index c = 0; c < centre.rows(); ++c)
        for (Eigen::Index d = 0; d < dims; ++d) centre(c, d) = 2.0 * normal(rng);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index d = 0; d < dims; ++d) x(i, d) = centre(i % centres, d) + normal(rng);
    return x;
}

std::vector<std::uint32_t> brute_force(const Eigen::MatrixXd& x, std::uint32_t i, std::uint32_t k) {
    std::vector<std::pair<double, std::uint32_t>> d;
    for (std::uint32_t j = 0; j < x.rows(); ++j)
        if (j != i) d.emplace_back((x.row(i) - x.row(j)).squaredNorm(), j);
    std::sort(d.begin(), d.end());
    std::vector<std::uint32_t> out{i};
    for (std::uint32_t q = 0; q + 1 < k; ++q) out.push_back(d[q].second);
    return out;
}

}  // namespace

TEST(NearestNeighbors, ExactEqualsBruteForce) {
    const auto x = clustered_points(700, 12, 5, 3);
    const auto nn = nearest_neighbors(x, {.k = 15, .method = NeighborMethod::exact, .threads = 1});
    for (std::uint32_t i = 0; i < x.rows(); i += 7) EXPECT_EQ(nn[i], brute_force(x, i, 15)) << "cell " << i;
    EXPECT_EQ(nearest_neighbors(x, {.k = 15, .method = NeighborMethod::exact, .threads = 4}), nn);
    // Searching for a subset of points gives their rows of the full result.
    const auto some = nearest_neighbors(x, {699, 3, 350}, {.k = 15, .method = NeighborMethod::exact});
    EXPECT_EQ(some, (std::vector<std::vector<std::uint32_t>>{nn[699], nn[3], nn[350]}));
    EXPECT_THROW(nearest_neighbors(x, {700}, {.k = 15}), OptionError);
}

TEST(NearestNeighbors, SelfComesFirstEvenAmongDuplicates) {
    Eigen::MatrixXd x = Eigen::MatrixXd::Zero(6, 3);  // all identical
    const auto nn = nearest_neighbors(x, {.k = 3, .method = NeighborMethod::exact});
    for (std::uint32_t i = 0; i < 6; ++i) EXPECT_EQ(nn[i][0], i);
    EXPECT_EQ(nn[4], (std::vector<std::uint32_t>{4, 0, 1}));
}

TEST(NearestNeighbors, HnswRecallsTheExactNeighbours) {
    const auto x = clustered_points(6000, 30, 12, 5);
    const auto exact = nearest_neighbors(x, {.k = 20, .method = NeighborMethod::exact});
    const auto approx = nearest_neighbors(x, {.k = 20, .method = NeighborMethod::hnsw, .threads = 1});
    std::size_t found = 0, total = 0;
    for (std::size_t i = 0; i < exact.size(); ++i) {
        ASSERT_EQ(approx[i].size(), 20U);
        EXPECT_EQ(approx[i][0], i);
        const std::set<std::uint32_t> truth(exact[i].begin(), exact[i].end());
        for (auto j : approx[i]) found += truth.count(j);
        total += exact[i].size();
    }
    const double recall = static_cast<double>(found) / static_cast<double>(total);
    std::printf("hnsw recall of the 20 exact neighbours: %.4f\n", recall);
    EXPECT_GT(recall, 0.97);
    EXPECT_EQ(nearest_neighbors(x, {.k = 20, .method = NeighborMethod::hnsw, .threads = 4}), approx);
    EXPECT_EQ(nearest_neighbors(x, {17, 5000}, {.k = 20, .method = NeighborMethod::hnsw}),
              (std::vector<std::vector<std::uint32_t>>{approx[17], approx[5000]}));
    // The seed drives the graph's levels: another seed, another (equally good) graph.
    const auto other = nearest_neighbors(x, {.k = 20, .method = NeighborMethod::hnsw, .seed = 2, .threads = 2});
    EXPECT_EQ(other.size(), approx.size());
}

TEST(NearestNeighbors, AutomaticSwitchesToHnswAboveTheThreshold) {
    NeighborOptions o;
    EXPECT_EQ(resolved_neighbor_method(o.exact_max_cells, o), NeighborMethod::exact);
    EXPECT_EQ(resolved_neighbor_method(o.exact_max_cells + 1, o), NeighborMethod::hnsw);
    o.method = NeighborMethod::exact;
    EXPECT_EQ(resolved_neighbor_method(1'000'000, o), NeighborMethod::exact);
    EXPECT_EQ(parse_neighbor_method("hnsw"), NeighborMethod::hnsw);
    EXPECT_THROW(parse_neighbor_method("annoy"), OptionError);
    EXPECT_THROW(nearest_neighbors(Eigen::MatrixXd::Zero(3, 2), {.k = 4}), OptionError);
}
