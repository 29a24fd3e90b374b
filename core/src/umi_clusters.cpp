#include "kupffer/core/umi_clusters.hpp"

#include <algorithm>
#include <numeric>

namespace kupffer {

std::size_t directional_clusters(const std::vector<std::pair<std::uint64_t, std::uint32_t>>& umis, std::uint32_t umi_length,
                                 std::vector<std::uint64_t>* roots) {
    if (roots) roots->assign(umis.size(), 0);
    if (umis.size() <= 1) {
        if (roots && !umis.empty()) (*roots)[0] = umis[0].first;
        return umis.size();
    }
    // Rank: most reads first, then by value.
    std::vector<std::uint32_t> order(umis.size());
    std::iota(order.begin(), order.end(), 0U);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return umis[a].second != umis[b].second ? umis[a].second > umis[b].second : umis[a].first < umis[b].first;
    });
    std::vector<std::pair<std::uint64_t, std::uint32_t>> by_value(umis.size());  // (umi, input index)
    for (std::uint32_t i = 0; i < umis.size(); ++i) by_value[i] = {umis[i].first, i};
    std::sort(by_value.begin(), by_value.end());
    std::vector<char> taken(umis.size(), 0);
    std::vector<std::uint32_t> stack;
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
            for (std::uint32_t pos = 0; pos < umi_length; ++pos) {
                const int shift = static_cast<int>(2 * pos);
                for (std::uint64_t alt = 0; alt < 4; ++alt) {
                    const std::uint64_t neighbour = (value & ~(std::uint64_t{3} << shift)) | (alt << shift);
                    if (neighbour == value) continue;
                    auto it = std::lower_bound(by_value.begin(), by_value.end(), std::pair{neighbour, std::uint32_t{0}});
                    if (it == by_value.end() || it->first != neighbour) continue;
                    const std::uint32_t other = it->second;
                    if (taken[other]) continue;
                    if (reads >= 2 * umis[other].second - 1) {
                        taken[other] = 1;
                        stack.push_back(other);
                    }
                }
            }
        }
    }
    return clusters;
}

}  // namespace kupffer
