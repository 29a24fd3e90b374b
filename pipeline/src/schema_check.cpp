#include "schema_check.hpp"

#include <algorithm>
#include <cstdint>
#include <set>

namespace kupffer::pipeline {

std::string nearest_key(const std::string& key, const std::vector<std::string>& candidates) {
    auto distance = [](const std::string& a, const std::string& b) {
        std::vector<std::size_t> row(b.size() + 1);
        for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
        for (std::size_t i = 1; i <= a.size(); ++i) {
            std::size_t diagonal = row[0];
            row[0] = i;
            for (std::size_t j = 1; j <= b.size(); ++j) {
                const std::size_t up = row[j];
                row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
                diagonal = up;
            }
        }
        return row[b.size()];
    };
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, key.size() / 3) + 1;
    for (const auto& c : candidates) {
        const auto d = distance(key, c);
        if (d < best_distance) best_distance = d, best = c;
    }
    return best;
}

namespace internal {

Problem problem_at(const std::string& file, const YAML::Node& node, std::string message) {
    const auto mark = node.Mark();
    const bool known = mark.line >= 0 && mark.column >= 0 && !(mark.pos == 0 && mark.line == 0 && mark.column == 0 && !node.IsDefined());
    return {file, known ? static_cast<std::size_t>(mark.line) + 1 : 0, known ? static_cast<std::size_t>(mark.column) + 1 : 0,
            std::move(message)};
}

namespace {

std::string label(const std::string& where) { return where.empty() ? "the descriptor" : "'" + where + "'"; }

std::string kind_of(const YAML::Node& node) {
    if (node.IsMap()) return "a mapping";
    if (node.IsSequence()) return "a list";
    if (node.IsNull()) return "nothing";
    return "'" + node.Scalar() + "'";
}

bool is_integer(const YAML::Node& n, long long& out) {
    if (!n.IsScalar()) return false;
    try {
        out = n.as<long long>();
        return true;
    } catch (const YAML::Exception&) {
        return false;
    }
}

bool is_number(const YAML::Node& n, double& out) {
    if (!n.IsScalar()) return false;
    try {
        out = n.as<double>();
        return true;
    } catch (const YAML::Exception&) {
        return false;
    }
}

bool is_boolean(const YAML::Node& n) {
    if (!n.IsScalar()) return false;
    const auto& s = n.Scalar();
    return s == "true" || s == "false";  // YAML 1.2 booleans only: "yes"/"no"/"on" are strings
}

bool matches_type(const YAML::Node& node, const std::string& type) {
    long long i = 0;
    double d = 0;
    if (type == "object") return node.IsMap();
    if (type == "array") return node.IsSequence();
    if (type == "string") return node.IsScalar();
    if (type == "integer") return is_integer(node, i);
    if (type == "number") return is_number(node, d);
    if (type == "boolean") return is_boolean(node);
    return false;
}

std::string type_words(const std::string& type) {
    if (type == "object") return "a mapping of keys";
    if (type == "array") return "a list";
    if (type == "integer") return "a whole number";
    if (type == "number") return "a number";
    if (type == "boolean") return "true or false";
    return "a " + type;
}

void check_object(const YAML::Node& node, const nlohmann::json& schema, const std::string& where, const std::string& file,
                  std::vector<Problem>& problems) {
    const auto& properties = schema.contains("properties") ? schema["properties"] : nlohmann::json::object();
    std::vector<std::string> known;
    for (const auto& [key, _] : properties.items()) known.push_back(key);
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
        const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
        const std::string path = where.empty() ? key : where + "." + key;
        if (!seen.insert(key).second) {
            problems.push_back(problem_at(file, it->first, "'" + path + "' is given twice"));
            continue;
        }
        if (properties.contains(key)) {
            check_against_schema(it->second, properties[key], path, file, problems);
        } else if (schema.value("additionalProperties", true) == false) {
            const auto near = nearest_key(key, known);
            problems.push_back(problem_at(file, it->first,
                                          "unknown key '" + path + "'" + (near.empty() ? "" : " (did you mean '" + (where.empty() ? near : where + "." + near) + "'?)")));
        }
    }
    for (const auto& required : schema.value("required", std::vector<std::string>{}))
        if (!seen.count(required))
            problems.push_back(problem_at(file, node, label(where) + " needs the key '" + required + "'"));
}

void check_bounds(const YAML::Node& node, double value, const nlohmann::json& schema, const std::string& where, const std::string& file,
                  std::vector<Problem>& problems) {
    auto say = [&](const std::string& rule) { problems.push_back(problem_at(file, node, label(where) + " must be " + rule + ", not " + node.Scalar())); };
    auto num = [](const nlohmann::json& v) { return v.dump(); };
    if (schema.contains("minimum") && value < schema["minimum"].get<double>()) say("at least " + num(schema["minimum"]));
    if (schema.contains("maximum") && value > schema["maximum"].get<double>()) say("at most " + num(schema["maximum"]));
    if (schema.contains("exclusiveMinimum") && value <= schema["exclusiveMinimum"].get<double>())
        say("greater than " + num(schema["exclusiveMinimum"]));
}

}  // namespace

void check_against_schema(const YAML::Node& node, const nlohmann::json& schema, const std::string& where, const std::string& file,
                          std::vector<Problem>& problems) {
    std::vector<std::string> types;
    if (schema.contains("type")) {
        if (schema["type"].is_array())
            types = schema["type"].get<std::vector<std::string>>();
        else
            types.push_back(schema["type"].get<std::string>());
    }
    std::string type;
    for (const auto& t : types)
        if (matches_type(node, t)) {
            type = t;
            break;
        }
    if (!types.empty() && type.empty()) {
        std::string expected;
        for (std::size_t i = 0; i < types.size(); ++i) expected += (i ? " or " : "") + type_words(types[i]);
        problems.push_back(problem_at(file, node, label(where) + " must be " + expected + ", not " + kind_of(node)));
        return;
    }
    if (type == "object") return check_object(node, schema, where, file, problems);
    if (type == "array") {
        if (schema.contains("minItems") && node.size() < schema["minItems"].get<std::size_t>())
            problems.push_back(problem_at(file, node, label(where) + " needs at least " + schema["minItems"].dump() + " item(s)"));
        if (schema.contains("items"))
            for (std::size_t i = 0; i < node.size(); ++i)
                check_against_schema(node[i], schema["items"], where + "[" + std::to_string(i) + "]", file, problems);
        return;
    }
    if (schema.contains("enum")) {
        const auto allowed = schema["enum"].get<std::vector<std::string>>();
        if (std::find(allowed.begin(), allowed.end(), node.Scalar()) == allowed.end()) {
            std::string list;
            for (std::size_t i = 0; i < allowed.size(); ++i) list += (i ? ", " : "") + allowed[i];
            problems.push_back(problem_at(file, node, label(where) + " must be one of " + list + ", not '" + node.Scalar() + "'"));
        }
    }
    double value = 0;
    if ((type == "integer" || type == "number") && is_number(node, value)) check_bounds(node, value, schema, where, file, problems);
    if (type == "string" && node.Scalar().empty())
        problems.push_back(problem_at(file, node, label(where) + " must not be empty"));
}

}  // namespace internal
}  // namespace kupffer::pipeline
