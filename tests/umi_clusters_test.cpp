#include "kupffer/core/umi_clusters.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

using namespace kupffer;

namespace {

using Umis = std::vector<std::pair<std::uint64_t, std::uint32_t>>;

bool one_base_apart(std::uint64_t a, std::uint64_t b, std::uint32_t length) {
    int differ = 0;
    for (std::uint32_t pos = 0; pos < length; ++pos) differ += ((a >> (2 * pos)) & 3U) != ((b >> (2 * pos)) & 3U);
    return differ == 1;
}

/// UMI-tools' directional method as written: roots by count (then value), each cluster every UMI
/// reachable through untaken UMIs one base apart with count <= 2 x its count - 1... of the parent.
std::vector<std::uint64_t> reference_roots(const Umis& umis, std::uint32_t length) {
    std::vector<std::size_t> order(umis.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](auto a, auto b) {
        return umis[a].second != umis[b].second ? umis[a].second > umis[b].second : umis[a].first < umis[b].first;
    });
    std::vector<std::uint64_t> roots(umis.size(), 0);
    std::vector<bool> taken(umis.size(), false);
    for (auto root : order) {
        if (taken[root]) continue;
        taken[root] = true;
        std::vector<std::size_t> frontier{root};
        while (!frontier.empty()) {
            const auto node = frontier.front();
            frontier.erase(frontier.begin());  // breadth first, unlike the product's depth first
            roots[node] = umis[root].first;
            for (std::size_t other = 0; other < umis.size(); ++other)
                if (!taken[other] && one_base_apart(umis[node].first, umis[other].first, length) &&
                    umis[node].second >= 2 * umis[other].second - 1) {
                    taken[other] = true;
                    frontier.push_back(other);
                }
        }
    }
    return roots;
}

}  // namespace

TEST(DirectionalClusters, MatchesTheReferenceAtEverySizeAcrossBothNeighbourSearches) {
    // Short UMIs and skewed counts make dense one-substitution neighbourhoods with chains; sizes
    // run from 2 to 900, across the switch (512) from comparing all UMIs to a hash table.
    std::uint64_t x = 7;
    auto next = [&](std::uint64_t n) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        return (x >> 33) % n;
    };
    for (std::uint32_t length : {5U, 6U, 12U}) {
        for (std::size_t size : {2U, 3U, 17U, 64U, 200U, 511U, 512U, 513U, 900U}) {
            std::set<std::uint64_t> seen;
            Umis umis;
            const std::uint64_t space = std::uint64_t{1} << (2 * length);
            const std::uint64_t seed = next(space);
            while (umis.size() < size) {
                // Mostly near one seed (a few substitutions), so many are one base apart.
                std::uint64_t u = seed;
                for (std::uint64_t k = next(4); k > 0; --k) {
                    const auto pos = next(length);
                    u = (u & ~(std::uint64_t{3} << (2 * pos))) | (next(4) << (2 * pos));
                }
                if (next(5) == 0) u = next(space);
                if (!seen.insert(u).second) continue;
                umis.emplace_back(u, static_cast<std::uint32_t>(1 + (next(3) == 0 ? next(500) : next(4))));
            }
            std::vector<std::uint64_t> roots;
            const std::size_t clusters = directional_clusters(umis, length, &roots);
            const auto expected = reference_roots(umis, length);
            EXPECT_EQ(roots, expected) << "length " << length << ", " << size << " UMIs";
            EXPECT_EQ(clusters, std::set<std::uint64_t>(expected.begin(), expected.end()).size());
            EXPECT_EQ(directional_clusters(umis, length), clusters);
        }
    }
}
