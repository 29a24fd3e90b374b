#pragma once
// The report's pieces (pipeline/src/report*.cpp): what is read per sample and per study, and the
// HTML section each turns into.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kupffer/pipeline/report.hpp"
#include "report_html.hpp"
#include "table.hpp"

namespace kupffer::pipeline::internal {

struct SampleReport {
    std::string name;
    nlohmann::json map, count;          ///< map_metrics.json (null if absent), metrics.json
    std::vector<double> ranked_umis;    ///< UMIs per barcode, descending
    std::vector<bool> ranked_cell;      ///< called a cell, same order
    double ordmag_threshold = 0;        ///< fewest UMIs of an OrdMag cell
    std::vector<Alert> alerts;
};

/// From samples/<name>/ (InputError if it has no count metrics).
SampleReport read_sample(const std::string& name, const std::filesystem::path& folder);
std::string barcode_rank_svg(const SampleReport& sample);
/// <dir>/<sample>_kupffer_mqc.json (general statistics) and _kupffer_ranks_mqc.json (line graph).
std::filesystem::path write_multiqc(const SampleReport& sample, const std::filesystem::path& dir);

std::string samples_overview(const std::vector<SampleReport>& samples);
std::string sample_section(const SampleReport& sample, bool open);
std::string alerts_section(const std::vector<SampleReport>& samples);

/// The analysis part; empty sections' text says what is missing.
struct StudyReport {
    std::filesystem::path dir;
    bool present = false;
    Table cells, composition, maturation, tests, markers, clusters;
    nlohmann::json summary;
};
StudyReport read_study(const std::filesystem::path& analysis_dir);
std::string answer_section(const StudyReport& study);
std::string cell_types_section(const StudyReport& study);
std::string composition_section(const StudyReport& study);
std::string qc_section(const StudyReport& study);
std::string maturation_section(const StudyReport& study);
std::string cytokines_section(const StudyReport& study);
std::string markers_section(const StudyReport& study);
std::string parameters_section(const nlohmann::json& run, const StudyReport& study);

}  // namespace kupffer::pipeline::internal
