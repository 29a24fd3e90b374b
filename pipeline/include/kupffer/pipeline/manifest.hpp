#pragma once
// Provenance and resume, one format for every stage (as alevin-fry's JSON beside each output):
// a stage's folder holds `kupffer_<stage>.json` with the kupffer version, the stage, the sample,
// the resolved options (never the thread count: outputs and manifests do not depend on it), the
// fingerprints of its inputs and the files it wrote. The manifest is written last, so a stage's
// outputs count only when it is there; a rerun whose expected manifest equals the one on disk
// skips the stage (pipeline/run.hpp).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kupffer/core/manifest.hpp"

namespace kupffer::pipeline {

// The manifest format and its writer live in core (kupffer/core/manifest.hpp: `kupffer simulate`
// writes one too); resume adds reading and comparing them.
using kupffer::Fingerprint;
using kupffer::fingerprint;
using kupffer::kupffer_version;
using kupffer::manifest_name;
using kupffer::StageManifest;
using kupffer::write_manifest;

/// The manifest on disk, or nothing if it is missing or unreadable.
std::optional<nlohmann::json> read_manifest(const std::filesystem::path& folder, const std::string& stage);

/// Why the stage in `folder` must run again ("not run yet", "options changed: ...", "inputs
/// changed", "kupffer version changed", "output X is missing"), or nothing when its manifest on
/// disk equals the expected one and its outputs are there.
std::optional<std::string> out_of_date(const std::filesystem::path& folder, const StageManifest& expected);

}  // namespace kupffer::pipeline
