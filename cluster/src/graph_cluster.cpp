#include "kupffer/cluster/graph_cluster.hpp"

#include <igraph/igraph.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <unordered_map>

#include "kupffer/core/errors.hpp"

namespace kupffer::cluster {

std::vector<WeightedEdge> shared_neighbor_graph(const std::vector<std::vector<std::uint32_t>>& nn, double prune) {
    const auto n = static_cast<std::uint32_t>(nn.size());
    // Who lists j as a neighbour.
    std::vector<std::vector<std::uint32_t>> listed_by(n);
    for (std::uint32_t i = 0; i < n; ++i)
        for (auto j : nn[i]) listed_by[j].push_back(i);
    std::vector<WeightedEdge> edges;
    std::vector<std::uint32_t> shared(n, 0), touched;
    for (std::uint32_t i = 0; i < n; ++i) {
        touched.clear();
        for (auto j : nn[i])
            for (auto m : listed_by[j])
                if (m > i && shared[m]++ == 0) touched.push_back(m);
        std::sort(touched.begin(), touched.end());
        for (auto m : touched) {
            const double k = static_cast<double>(nn[i].size() + nn[m].size());
            const double jaccard = shared[m] / (k - shared[m]);
            if (jaccard >= prune) edges.push_back({i, m, jaccard});
            shared[m] = 0;
        }
    }
    return edges;
}

namespace {
struct Graph {
    igraph_t g;
    ~Graph() { igraph_destroy(&g); }
};
struct RealVector {
    igraph_vector_t v;
    explicit RealVector(igraph_integer_t n) { igraph_vector_init(&v, n); }
    ~RealVector() { igraph_vector_destroy(&v); }
};
struct IntVector {
    igraph_vector_int_t v;
    explicit IntVector(igraph_integer_t n) { igraph_vector_int_init(&v, n); }
    ~IntVector() { igraph_vector_int_destroy(&v); }
};
void check(igraph_error_t e, const char* what) {
    if (e != IGRAPH_SUCCESS) throw Error(std::string("igraph failed in ") + what + ": " + igraph_strerror(e));
}
}  // namespace

namespace {

/// The graph of `edges` on `cells` vertices with its weights, for igraph.
struct WeightedGraph {
    Graph graph;
    RealVector weights;
    WeightedGraph(std::uint32_t cells, const std::vector<WeightedEdge>& edges) : weights(static_cast<igraph_integer_t>(edges.size())) {
        igraph_set_error_handler(igraph_error_handler_ignore);
        IntVector ends(static_cast<igraph_integer_t>(2 * edges.size()));
        for (std::size_t e = 0; e < edges.size(); ++e) {
            VECTOR(ends.v)[2 * e] = edges[e].from;
            VECTOR(ends.v)[2 * e + 1] = edges[e].to;
            VECTOR(weights.v)[e] = edges[e].weight;
        }
        check(igraph_create(&graph.g, &ends.v, cells, IGRAPH_UNDIRECTED), "igraph_create");
    }
};

/// Labels by decreasing cluster size (ties: first cell), so they do not depend on igraph's numbering.
std::vector<std::uint32_t> relabel_by_size(const igraph_vector_int_t& membership, std::uint32_t cells) {
    std::uint32_t clusters = 0;
    for (std::uint32_t i = 0; i < cells; ++i) clusters = std::max(clusters, static_cast<std::uint32_t>(VECTOR(membership)[i]) + 1);
    std::vector<std::uint32_t> size(clusters, 0), first(clusters, cells);
    for (std::uint32_t i = 0; i < cells; ++i) {
        const auto c = static_cast<std::size_t>(VECTOR(membership)[i]);
        ++size[c];
        first[c] = std::min(first[c], i);
    }
    std::vector<std::uint32_t> order(size.size());
    std::iota(order.begin(), order.end(), 0U);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return size[a] != size[b] ? size[a] > size[b] : first[a] < first[b]; });
    std::vector<std::uint32_t> label(size.size());
    for (std::uint32_t r = 0; r < order.size(); ++r) label[order[r]] = r;
    std::vector<std::uint32_t> out(cells);
    for (std::uint32_t i = 0; i < cells; ++i) out[i] = label[static_cast<std::size_t>(VECTOR(membership)[i])];
    return out;
}

}  // namespace

ClusterMethod parse_cluster_method(const std::string& name) {
    if (name == "leiden") return ClusterMethod::leiden;
    if (name == "louvain") return ClusterMethod::louvain;
    throw OptionError("unknown clustering '" + name + "' (leiden or louvain)");
}

std::vector<std::uint32_t> leiden(std::uint32_t cells, const std::vector<WeightedEdge>& edges, const LeidenOptions& options) {
    if (cells == 0) return {};
    WeightedGraph wg(cells, edges);
    igraph_rng_seed(igraph_rng_default(), static_cast<igraph_uint_t>(options.seed));
    IntVector membership(cells);
    if (options.method == ClusterMethod::louvain) {
        check(igraph_community_multilevel(&wg.graph.g, &wg.weights.v, options.resolution, &membership.v, nullptr, nullptr),
              "igraph_community_multilevel");
        return relabel_by_size(membership.v, cells);
    }
    // Modularity through the generalised objective: node weights = strengths, resolution / 2m.
    RealVector strength(cells);
    check(igraph_strength(&wg.graph.g, &strength.v, igraph_vss_all(), IGRAPH_ALL, IGRAPH_NO_LOOPS, &wg.weights.v), "igraph_strength");
    double two_m = 0;
    for (std::uint32_t i = 0; i < cells; ++i) two_m += VECTOR(strength.v)[i];
    if (two_m <= 0) return std::vector<std::uint32_t>(cells, 0);
    igraph_integer_t clusters = 0;
    igraph_real_t quality = 0;
    check(igraph_community_leiden(&wg.graph.g, &wg.weights.v, &strength.v, options.resolution / two_m, options.beta, false, -1,
                                  &membership.v, &clusters, &quality),
          "igraph_community_leiden");
    return relabel_by_size(membership.v, cells);
}

double adjusted_rand_index(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
    if (a.size() != b.size()) throw OptionError("adjusted_rand_index: labelings of different lengths");
    std::map<std::pair<std::uint32_t, std::uint32_t>, double> table;
    std::map<std::uint32_t, double> ra, rb;
    for (std::size_t i = 0; i < a.size(); ++i) ++table[{a[i], b[i]}], ++ra[a[i]], ++rb[b[i]];
    auto pairs = [](double x) { return x * (x - 1) / 2; };
    double index = 0, sa = 0, sb = 0;
    for (auto& [k, v] : table) index += pairs(v);
    for (auto& [k, v] : ra) sa += pairs(v);
    for (auto& [k, v] : rb) sb += pairs(v);
    const double expected = sa * sb / pairs(static_cast<double>(a.size()));
    const double max_index = (sa + sb) / 2;
    return max_index == expected ? 1.0 : (index - expected) / (max_index - expected);
}

}  // namespace kupffer::cluster
