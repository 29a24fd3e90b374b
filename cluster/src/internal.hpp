#pragma once
// Small helpers shared by the cluster library's sources (not public API).
#include <set>
#include <string>
#include <vector>

namespace kupffer::cluster::internal {

/// The distinct values in order of first appearance (e.g. groups in samplesheet order).
inline std::vector<std::string> distinct(const std::vector<std::string>& values) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& v : values)
        if (seen.insert(v).second) out.push_back(v);
    return out;
}

}  // namespace kupffer::cluster::internal
