#pragma once
// `kupffer run`: the stage chain, in one place. From a Study (a validated descriptor):
//   index (once; or the given index) -> per sample: map -> count (samples side by side within the
//   thread budget) -> one analysis of the study -> OUT/run.json.
// Resume: each step's expected manifest (stage, version, options, input fingerprints) is compared
// with the one on disk; an equal one is skipped, anything else reruns with everything downstream
// of it. A sample is keyed on its own files only, so adding one reruns that sample and the
// analysis. Leftovers of an interrupted stage (*.partial, count.partial, *.tmp) are removed first.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kupffer/pipeline/descriptor.hpp"
#include "kupffer/pipeline/report.hpp"
#include "kupffer/pipeline/stages.hpp"

namespace kupffer::pipeline {

enum class Stage { Index, Map, Count, Analyse };
const char* to_string(Stage stage);
/// "index", "map", "count", "analyse"/"analyze"; OptionError otherwise.
Stage parse_stage(const std::string& name);

/// What a running stage reports; the CLI turns these into terminal or log lines.
struct ProgressEvent {
    enum class Kind { Start, Update, Finish, Skip, Note };
    Kind kind = Kind::Note;
    std::string stage;    ///< empty for run-wide notes
    std::string sample;   ///< empty for study-wide stages
    std::uint64_t done = 0;
    std::string unit;     ///< "read pairs", "cells", ...
    double seconds = 0;   ///< since the stage started
    std::string message;
    double fraction = -1; ///< share of the step's input done, in [0, 1]; negative when unknown
};
/// Called one event at a time (run_study serialises the calls), possibly from worker threads.
using ProgressSink = std::function<void(const ProgressEvent&)>;

struct RunOptions {
    bool dry_run = false;           ///< plan only
    bool force = false;             ///< rerun every stage
    std::optional<Stage> from;      ///< rerun this stage and everything after it
    Fingerprint fingerprint = Fingerprint::Quick;  ///< --deep: content hashes too
    std::string command_line;       ///< for run.json
    ProgressSink progress;
};

struct PlannedStep {
    Stage stage = Stage::Index;
    std::string sample;
    bool run = false;
    std::string reason;  ///< why it runs, or "up to date"
    std::filesystem::path folder;
};

/// Wall, CPU and peak memory of one step (CPU and memory are the process's: with samples run
/// side by side, `shared` is true and they cover the samples running at the same time).
struct StepUsage {
    Stage stage = Stage::Index;
    std::string sample;
    double wall_seconds = 0, cpu_seconds = 0, peak_rss_mib = 0;
    bool shared = false;
};

struct SampleSummary {
    std::string sample;
    std::string chemistry;             ///< from map_metrics.json
    std::uint64_t read_pairs = 0;
    double valid_barcodes = 0, mapping_rate = 0;
    std::uint64_t cells = 0;
    double median_umis = 0, median_genes = 0;
};

struct RunResults {
    std::vector<PlannedStep> plan;
    std::vector<StepUsage> usage;
    std::vector<SampleSummary> samples;  ///< from the outputs, whether or not they were rerun
    std::filesystem::path output;
    int threads = 0, parallel_samples = 1;
    std::vector<Alert> alerts;  ///< of the report (OUT/report.html), written at the end of every run
};

/// The steps in order with run/skip and why. Throws OptionError when an existing folder in the
/// way was not written by kupffer (it is never replaced).
std::vector<PlannedStep> plan_run(const Study& study, const RunOptions& options);

/// Runs the plan (nothing with dry_run) and writes OUT/kupffer.yaml and OUT/run.json.
RunResults run_study(const Study& study, const RunOptions& options);

/// One row of analysis/cytokine_tests.tsv: a group against the reference group, per-animal pseudobulk.
struct CytokineTest {
    std::string cell_type, timepoint, group, reference, gene;
    double log2_fc = 0, fdr = 1;
};
/// The tests of `gene` (e.g. "IL6") in an analysis folder, as written (InputError if unreadable).
std::vector<CytokineTest> read_cytokine_tests(const std::filesystem::path& analysis_dir, const std::string& gene);

/// The versions of kupffer and of the libraries it links (HTSlib, oneTBB, Eigen, HDF5, igraph,
/// yaml-cpp, nlohmann-json).
nlohmann::ordered_json library_versions();

}  // namespace kupffer::pipeline
