#pragma once
// The study's report: one self-contained report.html (inline CSS and SVG, no script, no request
// leaving the page) that a biologist reads, and MultiQC custom-content files so `multiqc OUT`
// shows kupffer's per-sample numbers and barcode-rank curves with no configuration.
// Read from the outputs alone (samples/<s>/{map_metrics.json, metrics.json, cell_calls.tsv.gz},
// analysis/, run.json), so it works for `kupffer run` and for the separate subcommands. The same
// outputs give the same bytes: the report holds no time stamp and no output path.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kupffer::pipeline {

/// A result outside what a good 10x run gives, with the documented threshold (docs/report.md).
struct Alert {
    std::string sample;
    std::string level;    ///< "warning" or "error"
    std::string message;  ///< one line: what, the value, the threshold and what it suggests
};

/// The alerts of one sample from its map_metrics.json and metrics.json (either may be null).
std::vector<Alert> sample_alerts(const std::string& sample, const nlohmann::json& map_metrics, const nlohmann::json& count_metrics);
/// The alerts' "<level>: <message>" lines, for a metrics file's "warnings".
nlohmann::json alert_messages(const std::vector<Alert>& alerts);

struct ReportOptions {
    std::filesystem::path samples_dir;   ///< <sample>/ folders of map + count
    std::filesystem::path analysis_dir;  ///< kupffer analyse's folder (may be absent)
    std::filesystem::path run_json;      ///< kupffer run's provenance (may be absent)
    std::filesystem::path html;          ///< the report to write
    std::filesystem::path multiqc_dir;   ///< where <sample>_kupffer_*_mqc.json go
};

/// The layout of a `kupffer run` output folder: OUT/samples, OUT/analysis, OUT/run.json,
/// OUT/report.html, OUT/multiqc/.
ReportOptions report_layout(const std::filesystem::path& out);

struct ReportResults {
    std::size_t samples = 0;
    std::vector<Alert> alerts;
    std::vector<std::filesystem::path> multiqc_files;
    std::size_t html_bytes = 0;
};

/// Writes the report and the MultiQC files (atomically). InputError when a sample folder has no
/// count metrics (run `kupffer count` first); OptionError when no sample folder is found.
ReportResults write_report(const ReportOptions& options);

}  // namespace kupffer::pipeline
