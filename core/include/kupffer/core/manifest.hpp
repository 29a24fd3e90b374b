#pragma once
// Provenance, one format for every stage (as alevin-fry's JSON beside each output): a stage's
// folder holds `kupffer_<stage>.json` with the kupffer version, the stage, the sample, the
// resolved options (never the thread count: outputs and manifests do not depend on it), the
// fingerprints of its inputs and the files it wrote. Written last, so a stage's outputs count only
// when it is there. `kupffer simulate` writes one too; resume (pipeline/manifest.hpp) reads them.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kupffer {

/// kupffer's version, as the manifests and run.json record it.
const char* kupffer_version() noexcept;

/// How inputs are recognised: size + modification time (quick, the default), or an MD5 of the
/// content as well (`--deep`: a file rewritten with the same bytes still matches).
enum class Fingerprint { Quick, Deep };

/// {"path", "size", "mtime_ns"[, "md5"]} of a file; a folder gives one entry per regular file
/// below it (sorted by path), so a rebuilt upstream stage changes its downstream fingerprints.
/// Throws IoError if the path cannot be read.
nlohmann::json fingerprint(const std::filesystem::path& path, Fingerprint mode);

struct StageManifest {
    std::string stage;    ///< simulate, index, map, count, analyse
    std::string sample;   ///< empty for study-wide stages
    nlohmann::json options = nlohmann::json::object();  ///< resolved, without threads
    nlohmann::json inputs = nlohmann::json::array();    ///< fingerprints
    std::vector<std::string> outputs;                   ///< paths relative to the folder

    nlohmann::json to_json() const;
};

/// The manifest's file name: kupffer_<stage>.json.
std::string manifest_name(const std::string& stage);

/// Writes folder/kupffer_<stage>.json atomically (last step of a stage).
void write_manifest(const std::filesystem::path& folder, const StageManifest& manifest);

}  // namespace kupffer
