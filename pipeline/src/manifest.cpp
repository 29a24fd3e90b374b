#include "kupffer/pipeline/manifest.hpp"

#include <algorithm>

#include "table.hpp"

namespace kupffer::pipeline {

namespace fs = std::filesystem;

std::optional<nlohmann::json> read_manifest(const fs::path& folder, const std::string& stage) {
    auto parsed = internal::read_json(folder / manifest_name(stage), false);
    if (!parsed.is_object()) return std::nullopt;  // absent or damaged: the stage reruns
    return parsed;
}

std::optional<std::string> out_of_date(const fs::path& folder, const StageManifest& expected) {
    const auto found = read_manifest(folder, expected.stage);
    if (!found) return "not run yet";
    const auto& existing = *found;
    const auto want = expected.to_json();
    if (existing.value("version", "") != want["version"]) return "kupffer version changed";
    if (existing.value("stage", "") != want["stage"] || existing.value("sample", "") != want.value("sample", ""))
        return "the manifest belongs to another stage or sample";
    if (existing.value("options", nlohmann::json()) != want["options"]) {
        std::string changed;
        for (const auto& [key, value] : want["options"].items())
            if (!existing["options"].contains(key) || existing["options"][key] != value) changed += (changed.empty() ? "" : ", ") + key;
        return "options changed" + (changed.empty() ? std::string() : ": " + changed);
    }
    if (existing.value("inputs", nlohmann::json()) != want["inputs"]) return "inputs changed";
    for (const auto& out : existing.value("outputs", std::vector<std::string>{}))
        if (!fs::exists(folder / out)) return "output " + out + " is missing";
    return std::nullopt;
}

}  // namespace kupffer::pipeline
