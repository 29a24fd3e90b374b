// report.html: the page around the per-sample and study sections, and the MultiQC files.
#include "kupffer/pipeline/report.hpp"

#include <algorithm>
#include <fstream>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/pipeline/manifest.hpp"
#include "report_parts.hpp"

namespace kupffer::pipeline {

namespace fs = std::filesystem;
using namespace internal;

ReportOptions report_layout(const fs::path& out) {
    return {out / "samples", out / "analysis", out / "run.json", out / "report.html", out / "multiqc"};
}

namespace {

constexpr const char* kStyle = R"css(
body { font-family: Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1500px; padding: 0 24px 48px; color: #222; }
header { border-bottom: 3px solid #2c6e49; margin-bottom: 12px; }
h1 { margin-bottom: 4px; } h2 { border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 36px; }
nav a { margin-right: 14px; color: #2c6e49; }
table { border-collapse: collapse; margin: 10px 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; } th { background: #f2f2f2; }
tr.hit td { background: #fff3cd; font-weight: bold; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.card { border: 1px solid #cfd8dc; border-radius: 6px; padding: 8px 14px; min-width: 130px; background: #f7faf8; }
.card .value { font-size: 22px; font-weight: bold; color: #2c6e49; } .card .label { font-size: 12px; color: #555; }
.row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure { margin: 8px 0; max-width: 840px; } figure svg { max-width: 100%; height: auto; }
.row > figure, .row > div { flex: 1 1 560px; max-width: 720px; }
figcaption, .caption { font-size: 13px; color: #444; max-width: 820px; }
.warning { color: #8a5a00; } .error { color: #b00020; font-weight: bold; } .ok { color: #2c6e49; } .missing { color: #777; }
ul.answer li { font-size: 16px; margin: 4px 0; }
details { border: 1px solid #ddd; border-radius: 6px; padding: 6px 12px; margin: 8px 0; }
summary { font-size: 17px; font-weight: bold; cursor: pointer; }
.badge { background: #b00020; color: white; border-radius: 8px; padding: 1px 8px; font-size: 12px; }
pre { background: #f7f7f7; padding: 8px; font-size: 12px; overflow-x: auto; }
)css";


std::vector<SampleReport> read_samples(const fs::path& dir) {
    std::vector<fs::path> folders;
    if (fs::is_directory(dir))
        for (const auto& e : fs::directory_iterator(dir))
            if (e.is_directory() && fs::exists(e.path() / "cell_calls.tsv.gz")) folders.push_back(e.path());
    std::sort(folders.begin(), folders.end());
    if (folders.empty()) throw OptionError(dir.string() + ": no sample folders with counts (run `kupffer count` first)");
    std::vector<SampleReport> samples;
    for (const auto& f : folders) samples.push_back(read_sample(f.filename().string(), f));
    return samples;
}

std::string page(const std::vector<SampleReport>& samples, const StudyReport& study, const nlohmann::json& run) {
    std::string body = "<header><h1>kupffer report</h1><p>" + std::to_string(samples.size()) +
                       " samples: hepatic immune cells by 10x single-cell RNA-seq, from reads to cell types, monocyte → macrophage "
                       "maturation and IL-6 by treatment group (kupffer " + html_escape(kupffer_version()) + ").</p>"
                       "<nav><a href=\"#answer\">Answer</a><a href=\"#alerts\">Alerts</a><a href=\"#samples\">Samples</a>"
                       "<a href=\"#cell-types\">Cell types</a><a href=\"#composition\">Composition</a><a href=\"#qc\">QC</a>"
                       "<a href=\"#maturation\">Maturation</a><a href=\"#cytokines\">Cytokines</a><a href=\"#markers\">Markers</a>"
                       "<a href=\"#parameters\">Parameters</a></nav></header>\n";
    body += answer_section(study) + alerts_section(samples);
    body += "<section id=\"samples\"><h2>Samples</h2>\n" + samples_overview(samples);
    for (std::size_t i = 0; i < samples.size(); ++i) body += sample_section(samples[i], i == 0);
    body += "</section>\n";
    body += cell_types_section(study) + composition_section(study) + qc_section(study) + maturation_section(study) +
            cytokines_section(study) + markers_section(study) + parameters_section(run, study);
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>kupffer report</title>"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>" +
           std::string(kStyle) + "</style></head>\n<body>\n" + body + "</body></html>\n";
}

}  // namespace

ReportResults write_report(const ReportOptions& o) {
    const auto samples = read_samples(o.samples_dir);
    const auto study = read_study(o.analysis_dir);
    const auto html = page(samples, study, read_json(o.run_json, false));
    ReportResults r;
    r.samples = samples.size();
    for (const auto& s : samples) {
        r.alerts.insert(r.alerts.end(), s.alerts.begin(), s.alerts.end());
        r.multiqc_files.push_back(write_multiqc(s, o.multiqc_dir));
    }
    write_text_file(o.html, html);
    r.html_bytes = html.size();
    return r;
}

}  // namespace kupffer::pipeline
