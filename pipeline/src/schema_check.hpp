#pragma once
// Checks a YAML document against the JSON Schema subset the descriptor's schema uses (type,
// properties, additionalProperties, required, enum, minimum, maximum, exclusiveMinimum, items,
// minItems), collecting every problem with the YAML node's line and column.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "kupffer/pipeline/descriptor.hpp"

namespace kupffer::pipeline::internal {

/// Appends a problem per violation; `where` is the key path so far ("" at the top, "map.bam").
void check_against_schema(const YAML::Node& node, const nlohmann::json& schema, const std::string& where, const std::string& file,
                          std::vector<Problem>& problems);

/// A problem located at a YAML node.
Problem problem_at(const std::string& file, const YAML::Node& node, std::string message);

}  // namespace kupffer::pipeline::internal
