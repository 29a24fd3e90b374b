#pragma once
// UMI-tools' directional clustering of one cell's UMIs of one gene, shared by counting (how many
// molecules) and the BAM's UB tag (which UMI each read's UMI is an error of).
#include <cstdint>
#include <utility>
#include <vector>

namespace kupffer {

/// UMIs (packed, with read counts; any order, distinct) taken by read count (then value); a UMI
/// joins the cluster of a neighbour one substitution away whose count is >= 2 x its count - 1.
/// Returns the number of clusters (molecules); with `roots`, also each input UMI's cluster root
/// (its most abundant UMI), in input order.
std::size_t directional_clusters(const std::vector<std::pair<std::uint64_t, std::uint32_t>>& umis, std::uint32_t umi_length,
                                 std::vector<std::uint64_t>* roots = nullptr);

}  // namespace kupffer
