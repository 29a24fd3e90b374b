// The report's per-sample part: metrics, alerts, barcode-rank plot, and the MultiQC files.
#include <algorithm>
#include <cmath>
#include <fstream>

#include "kupffer/cluster/svg_plot.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/pipeline/report.hpp"
#include "report_parts.hpp"

namespace kupffer::pipeline {

namespace fs = std::filesystem;
using namespace internal;

namespace {

// The thresholds of docs/report.md (Cell Ranger's web-summary alerts where it has one).
constexpr double kMinValidBarcodes = 0.75;    // Cell Ranger: "Valid Barcodes" < 75%
constexpr double kMinMapping = 0.50;          // reads with a valid barcode assigned to a gene
constexpr double kMinReadsInCells = 0.70;     // Cell Ranger: "Fraction Reads in Cells" < 70%
constexpr std::uint64_t kMinCells = 100, kMaxCells = 20000;
constexpr double kMinQ30Barcode = 0.80, kMinQ30Cdna = 0.65;
constexpr double kLaneDrop = 0.10;            // a lane this far below the sample's other lanes

void lane_alerts(const std::string& sample, const nlohmann::json& lanes, std::vector<Alert>& out) {
    if (!lanes.is_array() || lanes.size() < 2) return;
    for (const char* metric : {"exact_barcode_fraction", "cdna_mapped_fraction"}) {
        for (std::size_t i = 0; i < lanes.size(); ++i) {
            double others = 0;
            for (std::size_t j = 0; j < lanes.size(); ++j)
                if (j != i) others += lanes[j].value(metric, 0.0) / static_cast<double>(lanes.size() - 1);
            const double v = lanes[i].value(metric, 0.0);
            if (v < others - kLaneDrop)
                out.push_back({sample, "warning",
                               "lane " + std::to_string(lanes[i].value("lane", 0)) + ": " + metric + " " + percent(v) + " against " +
                                   percent(others) + " in the other lanes (alert below " + format("%.0f", 100 * kLaneDrop) +
                                   " points less): a bad lane or flowcell; look at its Q30s"});
        }
    }
}

}  // namespace

std::vector<Alert> sample_alerts(const std::string& sample, const nlohmann::json& map, const nlohmann::json& count) {
    std::vector<Alert> out;
    auto low = [&](const nlohmann::json& j, const char* key, double threshold, const std::string& what, const std::string& hint) {
        if (!j.is_object() || !j.contains(key)) return;
        const double v = j[key].get<double>();
        if (v < threshold) out.push_back({sample, "warning", what + " " + percent(v) + " (alert below " + percent(threshold) + "): " + hint});
    };
    low(map, "valid_barcode_fraction", kMinValidBarcodes, "valid barcodes",
        "wrong whitelist or chemistry, or poor barcode read quality");
    low(map, "mapping_rate", kMinMapping, "reads mapped to genes", "wrong reference or species, a forced wrong chemistry, or much genomic DNA");
    low(map, "q30_barcode", kMinQ30Barcode, "Q30 of barcode bases", "a sequencing problem in read 1");
    low(map, "q30_cdna", kMinQ30Cdna, "Q30 of cDNA bases", "a sequencing problem in read 2");
    low(count, "fraction_reads_in_cells", kMinReadsInCells, "reads in cells", "much ambient RNA (lysed cells) or too many cells called empty");
    if (count.is_object() && count.contains("estimated_cells")) {
        const auto cells = count["estimated_cells"].get<std::uint64_t>();
        if (cells < kMinCells)
            out.push_back({sample, "error", std::to_string(cells) + " cells (alert below " + std::to_string(kMinCells) +
                                                "): a failed capture, a clog, or --expect-cells far too high"});
        if (cells > kMaxCells)
            out.push_back({sample, "warning", std::to_string(cells) + " cells (alert above " + std::to_string(kMaxCells) +
                                                  "): overloading (many doublets) or empty droplets called as cells"});
    }
    if (map.is_object()) lane_alerts(sample, map.value("lanes", nlohmann::json()), out);
    return out;
}

nlohmann::json alert_messages(const std::vector<Alert>& alerts) {
    nlohmann::json lines = nlohmann::json::array();
    for (const auto& a : alerts) lines.push_back(a.level + ": " + a.message);
    return lines;
}

namespace internal {

namespace {


/// Ranks 1..n thinned to about 300 points evenly spaced on a log scale (the curve's shape).
std::vector<std::size_t> log_spaced(std::size_t n) {
    std::vector<std::size_t> at;
    double next = 1;
    for (std::size_t r = 1; r <= n; ++r)
        if (static_cast<double>(r) >= next || r == n) {
            at.push_back(r);
            next = std::max(next + 1, next * 1.02);
        }
    return at;
}

}  // namespace

SampleReport read_sample(const std::string& name, const fs::path& folder) {
    SampleReport s;
    s.name = name;
    s.map = read_json(folder / "map_metrics.json", true);
    s.count = read_json(folder / "metrics.json", true);
    if (s.count.is_null()) throw InputError((folder / "metrics.json").string(), 0, "not found: run `kupffer count` for this sample first");
    const auto calls = read_table(folder / "cell_calls.tsv.gz");
    const auto umis = calls.column("umis"), cell = calls.column("cell"), ordmag = calls.column("ordmag");
    std::vector<std::pair<double, bool>> ranked;
    for (const auto& row : calls.rows) {
        ranked.push_back({std::strtod(row[umis].c_str(), nullptr), row[cell] == "1"});
        if (row[ordmag] == "1") s.ordmag_threshold = s.ordmag_threshold == 0 ? ranked.back().first : std::min(s.ordmag_threshold, ranked.back().first);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [u, is_cell] : ranked) s.ranked_umis.push_back(u), s.ranked_cell.push_back(is_cell);
    s.alerts = sample_alerts(name, s.map, s.count);
    return s;
}

std::string barcode_rank_svg(const SampleReport& s) {
    cluster::svg::LineSeries all{"all barcodes", {}, {}}, cells{"called cells", {}, {}};
    for (auto r : log_spaced(s.ranked_umis.size())) {
        all.x.push_back(static_cast<double>(r));
        all.y.push_back(s.ranked_umis[r - 1]);
        if (s.ranked_cell[r - 1]) cells.x.push_back(static_cast<double>(r)), cells.y.push_back(s.ranked_umis[r - 1]);
    }
    return cluster::svg::log_lines(s.name + ": barcode ranks", "barcode rank", "UMIs", {all, cells},
                                   {{s.ordmag_threshold, "OrdMag threshold"}});
}

fs::path write_multiqc(const SampleReport& s, const fs::path& dir) {
    const auto& c = s.count;
    const auto& m = s.map;
    nlohmann::json stats = {{"estimated_cells", c.value("estimated_cells", 0)},
                            {"mean_reads_per_cell", c.value("mean_reads_per_cell", 0.0)},
                            {"median_genes_per_cell", c.value("median_genes_per_cell", 0.0)},
                            {"median_umis_per_cell", c.value("median_umis_per_cell", 0.0)},
                            {"sequencing_saturation", 100 * c.value("sequencing_saturation", 0.0)},
                            {"fraction_reads_in_cells", 100 * c.value("fraction_reads_in_cells", 0.0)}};
    if (m.is_object()) {
        stats["valid_barcodes"] = 100 * m.value("valid_barcode_fraction", 0.0);
        stats["mapping_rate"] = 100 * m.value("mapping_rate", 0.0);
    }
    nlohmann::json ranks = nlohmann::json::object();
    for (auto r : log_spaced(s.ranked_umis.size())) ranks[std::to_string(r)] = s.ranked_umis[r - 1];
    auto pct = [](const char* title) { return nlohmann::json{{"title", title}, {"suffix", "%"}, {"max", 100}, {"min", 0}, {"format", "{:,.1f}"}}; };
    auto num = [](const char* title) { return nlohmann::json{{"title", title}, {"format", "{:,.0f}"}}; };
    const nlohmann::json content = {
        {"id", "kupffer"},
        {"section_name", "kupffer"},
        {"description", "kupffer single-cell metrics per sample: cells, reads, barcodes and barcode ranks."},
        {"plot_type", "generalstats"},
        {"pconfig",
         {{"estimated_cells", num("Cells")}, {"mean_reads_per_cell", num("Reads/cell")}, {"median_genes_per_cell", num("Genes/cell")},
          {"median_umis_per_cell", num("UMIs/cell")}, {"sequencing_saturation", pct("Saturation")},
          {"fraction_reads_in_cells", pct("Reads in cells")}, {"valid_barcodes", pct("Valid BCs")}, {"mapping_rate", pct("Mapped")}}},
        {"data", {{s.name, stats}}}};
    const nlohmann::json curve = {{"id", "kupffer_barcode_ranks"},
                                  {"section_name", "kupffer: barcode ranks"},
                                  {"description", "UMIs per barcode against its rank (log-log): cells form the plateau before the knee."},
                                  {"plot_type", "linegraph"},
                                  {"pconfig", {{"id", "kupffer_barcode_ranks_plot"}, {"title", "kupffer: barcode ranks"}, {"xlog", true},
                                               {"ylog", true}, {"xlab", "barcode rank"}, {"ylab", "UMIs"}}},
                                  {"data", {{s.name, ranks}}}};
    fs::create_directories(dir);
    write_text_file(dir / (s.name + "_kupffer_mqc.json"), content.dump(1) + "\n");
    write_text_file(dir / (s.name + "_kupffer_ranks_mqc.json"), curve.dump(1) + "\n");
    return dir / (s.name + "_kupffer_mqc.json");
}

std::string samples_overview(const std::vector<SampleReport>& samples) {
    std::vector<std::vector<std::string>> rows;
    std::vector<bool> flagged;
    for (const auto& s : samples) {
        const auto& m = s.map;
        const auto& c = s.count;
        rows.push_back({"<a href=\"#sample-" + html_escape(s.name) + "\">" + html_escape(s.name) + "</a>",
                        m.is_object() ? html_escape(m.value("chemistry", "")) : "",
                        m.is_object() ? count(m.value("read_pairs", 0.0)) : "",
                        m.is_object() ? percent(m.value("valid_barcode_fraction", 0.0)) : "",
                        m.is_object() ? percent(m.value("mapping_rate", 0.0)) : "",
                        count(c.value("estimated_cells", 0.0)), count(c.value("mean_reads_per_cell", 0.0)),
                        count(c.value("median_umis_per_cell", 0.0)), count(c.value("median_genes_per_cell", 0.0)),
                        percent(c.value("sequencing_saturation", 0.0)), percent(c.value("fraction_reads_in_cells", 0.0)),
                        std::to_string(s.alerts.size())});
        flagged.push_back(!s.alerts.empty());
    }
    return html_table({"sample", "chemistry", "read pairs", "valid barcodes", "mapped", "cells", "reads/cell", "median UMIs",
                       "median genes", "saturation", "reads in cells", "alerts"},
                      rows, flagged) +
           "<p class=\"caption\">One row per sample. Rows with alerts are highlighted; the alerts are listed above and in each sample's "
           "section.</p>\n";
}

std::string alerts_section(const std::vector<SampleReport>& samples) {
    std::string h = "<section id=\"alerts\"><h2>Alerts</h2>\n";
    std::size_t n = 0;
    std::string items;
    for (const auto& s : samples)
        for (const auto& a : s.alerts) {
            ++n;
            items += "<li class=\"" + a.level + "\"><b>" + html_escape(a.sample) + "</b>: " + html_escape(a.message) + "</li>\n";
        }
    if (n == 0) return h + "<p class=\"ok\">No alerts: every sample's barcodes, mapping, cells and lanes are within the thresholds of "
                           "docs/report.md.</p></section>\n";
    return h + "<ul class=\"alerts\">" + items + "</ul><p class=\"caption\">Each alert names the measured value, the threshold it "
                                                  "crossed and a likely cause (thresholds: docs/report.md).</p></section>\n";
}

namespace {

std::string sequencing_table(const nlohmann::json& m) {
    std::vector<std::vector<std::string>> rows = {
        {"read pairs", count(m.value("read_pairs", 0.0))},
        {"barcodes in the whitelist as read", count(m.value("barcodes_exact", 0.0))},
        {"barcodes corrected (one mismatch)", count(m.value("barcodes_corrected", 0.0))},
        {"barcodes rejected", count(m.value("barcodes_rejected", 0.0))},
        {"valid barcodes", percent(m.value("valid_barcode_fraction", 0.0))},
        {"Q30 barcode / UMI / cDNA", percent(m.value("q30_barcode", 0.0)) + " / " + percent(m.value("q30_umi", 0.0)) + " / " +
                                         percent(m.value("q30_cdna", 0.0))},
        {"chemistry", html_escape(m.value("chemistry", "") + " (" + m.value("chemistry_reason", "") + ")")},
        {"whitelist", html_escape(fs::path(m.value("whitelist", "")).filename().string())}};
    return html_table({"sequencing", ""}, rows);
}

std::string mapping_table(const nlohmann::json& m) {
    const double valid = m.value("barcodes_exact", 0.0) + m.value("barcodes_corrected", 0.0);
    auto share = [&](double v) { return valid > 0 ? percent(v / valid) : "NA"; };
    const double mapped = m.value("mapped_reads", 0.0);
    std::vector<std::vector<std::string>> rows = {
        {"assigned to one gene", share(mapped)},
        {"&nbsp;&nbsp;spliced (exonic, across a junction)", share(m.value("spliced_reads", 0.0))},
        {"&nbsp;&nbsp;unspliced (intronic)", share(m.value("unspliced_reads", 0.0))},
        {"&nbsp;&nbsp;ambiguous (exonic, no junction)", share(m.value("ambiguous_reads", 0.0))},
        {"compatible with several genes", share(m.value("multi_gene_reads", 0.0))},
        {"no gene (intergenic, antisense-only or unmapped)", share(std::max(0.0, valid - mapped - m.value("multi_gene_reads", 0.0)))}};
    return html_table({"mapping (reads with a valid barcode)", ""}, rows);
}

std::string lanes_table(const nlohmann::json& lanes) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& l : lanes)
        rows.push_back({std::to_string(l.value("lane", 0)), html_escape(l.value("r1", "")), count(l.value("read_pairs", 0.0)),
                        percent(l.value("exact_barcode_fraction", 0.0)), percent(l.value("cdna_mapped_fraction", 0.0)),
                        percent(l.value("q30_barcode", 0.0)), percent(l.value("q30_cdna", 0.0))});
    return html_table({"lane", "R1 file", "read pairs", "barcodes as read", "cDNA mapped", "Q30 barcode", "Q30 cDNA"}, rows);
}

}  // namespace

std::string sample_section(const SampleReport& s, bool open) {
    const auto& c = s.count;
    std::string h = "<details id=\"sample-" + html_escape(s.name) + "\"" + (open ? " open" : "") + "><summary>" + html_escape(s.name) +
                    (s.alerts.empty() ? "" : " <span class=\"badge\">" + std::to_string(s.alerts.size()) + " alert(s)</span>") +
                    "</summary>\n<div class=\"cards\">" + card(count(c.value("estimated_cells", 0.0)), "estimated cells") +
                    card(count(c.value("mean_reads_per_cell", 0.0)), "mean reads per cell") +
                    card(count(c.value("median_genes_per_cell", 0.0)), "median genes per cell") +
                    card(count(c.value("median_umis_per_cell", 0.0)), "median UMIs per cell") +
                    card(percent(c.value("sequencing_saturation", 0.0)), "sequencing saturation") +
                    card(percent(c.value("fraction_reads_in_cells", 0.0)), "reads in cells") + "</div>\n";
    for (const auto& a : s.alerts) h += "<p class=\"" + a.level + "\">" + html_escape(a.message) + "</p>\n";
    h += "<div class=\"row\">";
    if (s.map.is_object()) h += "<div>" + sequencing_table(s.map) + mapping_table(s.map) + "</div>";
    h += figure(barcode_rank_svg(s),
                "Every barcode's UMIs against its rank, both on log scales. Real cells form the high plateau on the left; the steep "
                "drop (the knee) separates them from empty droplets holding ambient RNA. Called cells are drawn over the curve: "
                "those above the dashed OrdMag threshold are called by UMI count alone, those below it by EmptyDrops (their RNA "
                "differs from the ambient profile). Cells: " + count(c.value("cells_ordmag", 0.0)) + " by OrdMag, " +
                    count(c.value("cells_emptydrops", 0.0)) + " more by EmptyDrops.");
    h += "</div>\n";
    if (s.map.is_object() && s.map.contains("lanes"))
        h += "<h4>Lanes</h4>" + lanes_table(s.map["lanes"]) +
             "<p class=\"caption\">Each lane on its own, counted before barcode correction: a lane much lower than the others "
             "in barcodes or mapping points at a bad lane or flowcell.</p>\n";
    return h + "</details>\n";
}

}  // namespace internal
}  // namespace kupffer::pipeline
