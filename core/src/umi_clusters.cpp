#include "kupffer/core/umi_clusters.hpp"

#include <algorithm>
#include <numeric>

namespace kupffer {

namespace {

/// Packed UMIs exactly one base apart: the differing bits, folded to one bit per base, are a
/// single bit.
bool one_base_apart(std::uint64_t a, std::uint64_t b) noexcept {
    const std::uint64_t x = a ^ b;
    const std::uint64_t bases = (x | (x >> 1)) & 0x5555555555555555ULL;
    return bases != 0 && (bases & (bases - 1)) == 0;
}

/// Up to this many UMIs, a node's neighbours are found by comparing it with every UMI (n compares
/// of a few instructions each) rather than by looking up its 3 x length substitutions (each a
/// binary search): most genes of a cell have a handful of UMIs.
constexpr std::size_t kCompareAll = 128;

}  // namespace

std::size_t directional_clusters(const std::vector<std::pair<std::uint64_t, std::uint32_t>>& umis, std::uint32_t umi_length,
                                 std::vector<std::uint64_t>* roots) {
    if (roots) roots->assign(umis.size(), 0);
    if (umis.size() <= 1) {
        if (roots && !umis.empty()) (*roots)[0] = umis[0].first;
        return umis.size();
    }
    // Scratch reused by the thread's next call (count calls this for every gene of every cell).
    thread_local std::vector<std::uint32_t> order, stack;
    thread_local std::vector<char> taken;
    thread_local std::vector<std::pair<std::uint64_t, std::uint32_t>> by_value;  // (umi, input index)
    const auto n = static_cast<std::uint32_t>(umis.size());
    // Rank: most reads first, then by value.
    order.resize(n);
    std::iota(order.begin(), order.end(), 0U);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return umis[a].second != umis[b].second ? umis[a].second > umis[b].second : umis[a].first < umis[b].first;
    });
    const bool compare_all = n <= kCompareAll;
    if (!compare_all) {
        by_value.resize(n);
        for (std::uint32_t i = 0; i < n; ++i) by_value[i] = {umis[i].first, i};
        std::sort(by_value.begin(), by_value.end());
    }
    taken.assign(n, 0);
    // A cluster is every UMI reachable from its root through untaken UMIs, each step to a UMI one
    // base away with count <= (count + 1) / 2: the same set whatever order neighbours are visited.
    auto visit = [&](std::uint32_t other, std::uint32_t reads) {
        if (taken[other] || reads < 2 * umis[other].second - 1) return;
        taken[other] = 1;
        stack.push_back(other);
    };
    std::size_t clusters = 0;
    for (const std::uint32_t root : order) {
        if (taken[root]) continue;
        ++clusters;
        taken[root] = 1;
        stack.assign(1, root);
        while (!stack.empty()) {
            const std::uint32_t node = stack.back();
            stack.pop_back();
            if (roots) (*roots)[node] = umis[root].first;
            const auto [value, reads] = umis[node];
            if (compare_all) {
                for (std::uint32_t other = 0; other < n; ++other)
                    if (one_base_apart(value, umis[other].first)) visit(other, reads);
                continue;
            }
            for (std::uint32_t pos = 0; pos < umi_length; ++pos) {
                const int shift = static_cast<int>(2 * pos);
                for (std::uint64_t alt = 0; alt < 4; ++alt) {
                    const std::uint64_t neighbour = (value & ~(std::uint64_t{3} << shift)) | (alt << shift);
                    if (neighbour == value) continue;
                    auto it = std::lower_bound(by_value.begin(), by_value.end(), std::pair{neighbour, std::uint32_t{0}});
                    if (it != by_value.end() && it->first == neighbour) visit(it->second, reads);
                }
            }
        }
    }
    return clusters;
}

}  // namespace kupffer
