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
/// of a few instructions each) rather than by looking up its 3 x length substitutions in a hash
/// table. Measured on the bench's records (count, 2 threads): 16 -> 1.2 s, 128 -> 0.95 s,
/// 512 -> 0.85 s, 1024 -> 0.85 s; the quadratic side stays bounded for the rare huge gene.
constexpr std::size_t kCompareAll = 512;

/// The input index of each UMI by value: open addressing, linear probing, at most half full.
class UmiTable {
public:
    void build(const std::vector<std::pair<std::uint64_t, std::uint32_t>>& umis) {
        shift_ = 64;
        std::size_t slots = 1;
        while (slots < 2 * umis.size()) slots *= 2, --shift_;
        keys_.resize(slots);
        index_.assign(slots, kNone);
        for (std::uint32_t i = 0; i < umis.size(); ++i) {
            std::size_t at = home(umis[i].first);
            while (index_[at] != kNone) at = (at + 1) & (slots - 1);
            keys_[at] = umis[i].first;
            index_[at] = i;
        }
    }
    /// Input index of `umi`, or kNone.
    std::uint32_t find(std::uint64_t umi) const noexcept {
        for (std::size_t at = home(umi);; at = (at + 1) & (index_.size() - 1)) {
            if (index_[at] == kNone || keys_[at] == umi) return index_[at];
        }
    }
    static constexpr std::uint32_t kNone = ~std::uint32_t{0};

private:
    std::size_t home(std::uint64_t umi) const noexcept {
        return shift_ == 64 ? 0 : static_cast<std::size_t>((umi * 0x9E3779B97F4A7C15ULL) >> shift_);
    }
    std::vector<std::uint64_t> keys_;
    std::vector<std::uint32_t> index_;
    int shift_ = 64;
};

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
    thread_local UmiTable by_value;
    const auto n = static_cast<std::uint32_t>(umis.size());
    // Rank: most reads first, then by value.
    order.resize(n);
    std::iota(order.begin(), order.end(), 0U);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return umis[a].second != umis[b].second ? umis[a].second > umis[b].second : umis[a].first < umis[b].first;
    });
    const bool compare_all = n <= kCompareAll;
    if (!compare_all) by_value.build(umis);
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
                    if (const std::uint32_t other = by_value.find(neighbour); other != UmiTable::kNone) visit(other, reads);
                }
            }
        }
    }
    return clusters;
}

}  // namespace kupffer
