// The report's study part, from kupffer analyse's folder: cell types, composition, QC removals,
// maturation, cytokines with their per-animal tests, markers, and the parameters used.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "kupffer/cluster/svg_plot.hpp"
#include "report_parts.hpp"

namespace kupffer::pipeline::internal {

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    if (!in) return "";
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string plot(const StudyReport& s, const std::string& name) {
    auto svg = read_file(s.dir / "plots" / name);
    return svg.empty() ? "<p class=\"missing\">plots/" + html_escape(name) + " is missing.</p>" : svg;
}

std::string missing(const char* what) {
    return std::string("<p class=\"missing\">No analysis folder: ") + what + " appear once `kupffer analyse` has run.</p>";
}

double number(const std::string& text) { return text == "NA" ? std::nan("") : std::strtod(text.c_str(), nullptr); }

/// Distinct values of a column, in order of first appearance.
std::vector<std::string> levels(const Table& t, std::size_t column) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& row : t.rows)
        if (seen.insert(row[column]).second) out.push_back(row[column]);
    return out;
}

/// composition_tests.tsv / maturation_tests.tsv as a table, FDR < 0.05 highlighted.
std::string group_tests_table(const fs::path& path, const char* feature, const char* means) {
    if (!fs::exists(path)) return "";
    const auto t = read_table(path);
    std::vector<std::vector<std::string>> rows;
    std::vector<bool> hit;
    for (const auto& r : t.rows) {
        const double fdr = number(r[t.column("fdr")]);
        rows.push_back({html_escape(r[0]), html_escape(r[t.column("timepoint")]), html_escape(r[t.column("group")]),
                        html_escape(r[t.column("reference")]), r[t.column("animals_group")] + " vs " + r[t.column("animals_reference")],
                        format("%.3f", number(r[t.column("mean_group")])) + " vs " + format("%.3f", number(r[t.column("mean_reference")])),
                        format("%+.3f", number(r[t.column("difference")])), format("%.2g", number(r[t.column("p_value")])), format("%.2g", fdr)});
        hit.push_back(fdr < 0.05);
    }
    return html_table({feature, "timepoint", "group", "against", "animals", means, "difference", "p", "FDR"}, rows, hit);
}

}  // namespace

StudyReport read_study(const fs::path& dir) {
    StudyReport s;
    s.dir = dir;
    if (!fs::exists(dir / "cells.tsv.gz")) return s;
    s.present = true;
    s.cells = read_table(dir / "cells.tsv.gz");
    s.composition = read_table(dir / "composition.tsv");
    s.maturation = read_table(dir / "maturation.tsv");
    s.tests = read_table(dir / "cytokine_tests.tsv");
    s.markers = read_table(dir / "markers.tsv");
    s.clusters = read_table(dir / "clusters.tsv");
    std::ifstream summary(dir / "analysis_summary.json");
    s.summary = summary ? nlohmann::json::parse(summary, nullptr, false) : nlohmann::json();
    return s;
}

std::string answer_section(const StudyReport& s) {
    std::string h = "<section id=\"answer\"><h2>The answer: IL-6 between treatment groups</h2>\n";
    if (!s.present) return h + missing("the IL-6 tests") + "</section>\n";
    const auto& t = s.tests;
    const auto gene = t.column("gene"), type = t.column("cell_type"), time = t.column("timepoint"), group = t.column("group"),
               ref = t.column("reference"), fc = t.column("log2_fc"), fdr = t.column("fdr");
    std::string found;
    std::size_t tested = 0;
    for (const auto& row : t.rows) {
        if (row[gene] != "IL6") continue;
        ++tested;
        if (!(number(row[fdr]) < 0.05)) continue;
        const double lfc = number(row[fc]);
        found += "<li><b>" + html_escape(row[group]) + "</b> against <b>" + html_escape(row[ref]) + "</b> in " + html_escape(row[type]) +
                 " at " + html_escape(row[time]) + ": IL6 " + (lfc > 0 ? "higher" : "lower") + ", " + format("%.2f", std::exp2(std::fabs(lfc))) +
                 "-fold (log2 FC " + format("%.2f", lfc) + ", FDR " + format("%.2g", number(row[fdr])) + ")</li>\n";
    }
    h += found.empty() ? "<p>No IL-6 difference between groups at FDR &lt; 0.05 in " + std::to_string(tested) + " tests.</p>\n"
                       : "<ul class=\"answer\">" + found + "</ul>\n";
    h += "<p class=\"caption\">Each line is a pair of treatment groups compared within one cell type and timepoint, with the animals as "
         "replicates: every sample's cells of that type are summed into one pseudobulk profile, and edgeR's quasi-likelihood test "
         "compares the groups (FDR: Benjamini-Hochberg over all genes of the test). All tests are in the cytokine section.</p>\n";
    if (s.summary.is_object())
        h += "<div class=\"cards\">" + card(count(s.summary.value("cells", 0.0)), "cells") +
             card(count(s.summary.value("cells_analysed", 0.0)), "cells analysed") + card(count(s.summary.value("clusters", 0.0)), "clusters") +
             card(count(s.summary.value("trajectory_cells", 0.0)), "cells on the maturation axis") + "</div>\n";
    return h + "</section>\n";
}

std::string cell_types_section(const StudyReport& s) {
    std::string h = "<section id=\"cell-types\"><h2>Immune cells in the liver</h2>\n";
    if (!s.present) return h + missing("UMAPs") + "</section>\n";
    const auto& c = s.cells;
    const auto analysed = c.column("analysed"), sample = c.column("sample"), u1 = c.column("umap_1"), u2 = c.column("umap_2");
    std::vector<double> x, y;
    std::vector<std::string> label;
    for (const auto& row : c.rows)
        if (row[analysed] == "1") x.push_back(number(row[u1])), y.push_back(number(row[u2])), label.push_back(row[sample]);
    h += "<div class=\"row\">" + figure(plot(s, "umap_cell_types.svg"),
                                        "Each dot is a cell, placed by UMAP so that cells with similar expression sit together; colour is "
                                        "the cell type named from the hepatic marker panels.") +
         figure(plot(s, "umap_clusters.svg"), "The same cells coloured by Leiden cluster (the clusters the cell types were named from).") +
         "</div><div class=\"row\">" +
         figure(plot(s, "umap_groups.svg"), "Coloured by treatment group: groups should mix within each cell type unless treatment "
                                            "changes that type's expression.") +
         figure(cluster::svg::scatter("Samples", x, y, label),
                "Coloured by sample: a sample forming an island of its own points at a batch or quality problem rather than biology.") +
         "</div></section>\n";
    return h;
}

std::string composition_section(const StudyReport& s) {
    std::string h = "<section id=\"composition\"><h2>Cell-type composition</h2>\n";
    if (!s.present) return h + missing("compositions") + "</section>\n";
    const auto& t = s.composition;
    const auto group = t.column("group"), type = t.column("cell_type"), cells = t.column("cells");
    const auto groups = levels(t, group), types = levels(t, type);
    std::vector<std::vector<double>> fractions(groups.size(), std::vector<double>(types.size(), 0.0));
    for (const auto& row : t.rows) {
        const auto g = static_cast<std::size_t>(std::find(groups.begin(), groups.end(), row[group]) - groups.begin());
        const auto k = static_cast<std::size_t>(std::find(types.begin(), types.end(), row[type]) - types.begin());
        fractions[g][k] += number(row[cells]);
    }
    for (auto& f : fractions) {
        double total = 0;
        for (double v : f) total += v;
        for (double& v : f) v = total > 0 ? v / total : 0;
    }
    return h + "<div class=\"row\">" +
           figure(plot(s, "composition.svg"), "Each bar is a sample; its colours are the shares of the cell types among its analysed cells.") +
           figure(cluster::svg::stacked_bars("Cell types by group", groups, types, fractions),
                  "Each bar pools a treatment group's samples. Monocytes and monocyte-derived macrophages gathering in the liver "
                  "show as a larger share of those colours; compare the per-sample bars to see whether the animals agree.") +
           "</div>" + group_tests_table(s.dir / "composition_tests.tsv", "cell type", "share") +
           "<p class=\"caption\">Is a cell type's share of a sample's cells different between two groups, with the animals as "
           "replicates? Student's t-test on arcsine-square-root shares (as speckle's propeller), BH over the cell types of each "
           "comparison; highlighted rows have FDR &lt; 0.05. With two or three animals a group only large shifts reach it.</p></section>\n";
}

std::string qc_section(const StudyReport& s) {
    std::string h = "<section id=\"qc\"><h2>Cells removed by QC and doublets</h2>\n";
    if (!s.present) return h + missing("QC removals") + "</section>\n";
    const auto& c = s.cells;
    const auto sample = c.column("sample"), pass = c.column("qc_pass"), doublet = c.column("predicted_doublet"),
               analysed = c.column("analysed"), low_umis = c.column("low_umis"), low_genes = c.column("low_genes"), mito = c.column("high_mito");
    std::map<std::string, std::array<double, 7>> per;
    for (const auto& row : c.rows) {
        auto& a = per[row[sample]];
        a[0] += 1, a[1] += row[pass] == "0", a[2] += row[low_umis] == "1", a[3] += row[low_genes] == "1", a[4] += row[mito] == "1",
            a[5] += row[doublet] == "1", a[6] += row[analysed] == "1";
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& name : levels(c, sample)) {
        const auto& a = per[name];
        rows.push_back({html_escape(name), count(a[0]), count(a[1]) + " (" + percent(a[1] / a[0]) + ")", count(a[2]), count(a[3]), count(a[4]),
                        count(a[5]), count(a[6])});
    }
    return h + html_table({"sample", "cells", "failed QC", "low UMIs", "low genes", "high mitochondrial", "predicted doublets", "analysed"}, rows) +
           "<p class=\"caption\">Cells are flagged per sample when they lie more than 3 median absolute deviations from the sample's "
           "median (few UMIs or genes, a high mitochondrial share: damaged or dying cells). Doublets (two cells in one droplet) are "
           "scored against simulated doublets of the same sample.</p></section>\n";
}

std::string maturation_section(const StudyReport& s) {
    std::string h = "<section id=\"maturation\"><h2>Monocyte → macrophage maturation</h2>\n";
    if (!s.present) return h + missing("maturation") + "</section>\n";
    const auto& c = s.cells;
    const auto group = c.column("group"), time = c.column("timepoint"), pt = c.column("maturation_pseudotime");
    std::map<std::string, std::size_t> index;
    std::vector<cluster::svg::ViolinSeries> series;
    for (const auto& row : c.rows) {
        const double v = number(row[pt]);
        if (std::isnan(v)) continue;
        const auto key = row[group] + " | " + row[time];
        if (index.emplace(key, series.size()).second) series.push_back({key, {}});
        series[index[key]].values.push_back(v);
    }
    const auto& m = s.maturation;
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : m.rows)
        rows.push_back({html_escape(r[m.column("group")]), html_escape(r[m.column("timepoint")]), html_escape(r[m.column("animal")]),
                        r[m.column("cells")], format("%.3f", number(r[m.column("pseudotime_mean")])),
                        format("%.3f", number(r[m.column("pseudotime_median")])), format("%.3f", number(r[m.column("score_mean")]))});
    return h + figure(cluster::svg::violins("Maturation pseudotime by group and timepoint", "pseudotime (0 = monocyte, 1 = macrophage)", series),
                      "Monocyte-lineage cells ordered from classical monocyte (0) to monocyte-derived macrophage (1). Each violin is "
                      "the distribution in one group and timepoint, its bar the median: a group whose monocytes mature less sits lower.") +
           html_table({"group", "timepoint", "animal", "cells", "mean pseudotime", "median pseudotime", "mean panel score"}, rows) +
           "<p class=\"caption\">One row per animal: the animals, not the cells, are the replicates when groups are compared.</p>" +
           group_tests_table(s.dir / "maturation_tests.tsv", "measure", "mean pseudotime") +
           "<p class=\"caption\">Each animal's mean pseudotime (animals with at least 5 cells on the axis), compared between groups "
           "by Student's t-test with the animals as replicates.</p></section>\n";
}

std::string cytokines_section(const StudyReport& s) {
    std::string h = "<section id=\"cytokines\"><h2>IL-6 and the cytokine panel</h2>\n";
    if (!s.present) return h + missing("cytokine tests") + "</section>\n";
    const auto& t = s.tests;
    std::vector<std::vector<std::string>> rows;
    std::vector<bool> hit;
    for (const auto& r : t.rows) {
        const double fdr = number(r[t.column("fdr")]);
        rows.push_back({html_escape(r[t.column("gene")]), html_escape(r[t.column("cell_type")]), html_escape(r[t.column("timepoint")]),
                        html_escape(r[t.column("group")]), html_escape(r[t.column("reference")]), format("%.2f", number(r[t.column("log2_fc")])),
                        format("%.2g", number(r[t.column("p_value")])), format("%.2g", fdr)});
        hit.push_back(fdr < 0.05);
    }
    return h + figure(plot(s, "violin_IL6.svg"), "IL6 expression (log-normalised) of every cell, by cell type and group.") +
           html_table({"gene", "cell type", "timepoint", "group", "against", "log2 FC", "p", "FDR"}, rows, hit) +
           "<p class=\"caption\">Per-animal pseudobulk tests (edgeR quasi-likelihood) of the cytokine panel; highlighted rows have "
           "FDR &lt; 0.05. A positive log2 fold change means higher in the group than in the reference group.</p></section>\n";
}

std::string markers_section(const StudyReport& s) {
    std::string h = "<section id=\"markers\"><h2>Marker genes per cluster</h2>\n";
    if (!s.present) return h + missing("markers") + "</section>\n";
    const auto& m = s.markers;
    std::map<std::string, std::pair<std::string, std::string>> top;  // cluster -> (type, genes)
    std::vector<std::string> order;
    for (const auto& r : m.rows) {
        if (number(r[m.column("rank")]) > 8) continue;
        auto [it, fresh] = top.try_emplace(r[m.column("cluster")], r[m.column("cell_type")], "");
        if (fresh) order.push_back(r[m.column("cluster")]);
        it->second.second += (it->second.second.empty() ? "" : ", ") + html_escape(r[m.column("gene")]);
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& k : order) rows.push_back({k, html_escape(top[k].first), top[k].second});
    return h + html_table({"cluster", "cell type", "top markers (by AUC)"}, rows) +
           "<p class=\"caption\">The genes that best tell each cluster from the rest (Wilcoxon AUC); markers.tsv has 100 per cluster "
           "with fold changes and FDRs.</p></section>\n";
}

std::string parameters_section(const nlohmann::json& run, const StudyReport& s) {
    std::string h = "<section id=\"parameters\"><h2>Parameters and versions</h2>\n";
    if (run.is_object()) {
        std::vector<std::vector<std::string>> rows;
        const auto libraries = run.value("libraries", nlohmann::json::object());
        for (const auto& [name, version] : libraries.items())
            rows.push_back({html_escape(name), html_escape(version.get<std::string>())});
        h += html_table({"software", "version"}, rows);
        auto descriptor = run.value("resolved_descriptor", nlohmann::json::object());
        descriptor.erase("output");  // the report is the same wherever the output folder is
        h += "<h4>Resolved descriptor</h4><pre>" + html_escape(descriptor.dump(2)) + "</pre>\n";
    } else if (s.present) {
        std::ifstream in(s.dir / "kupffer_analyse.json");
        const auto manifest = in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json();
        if (manifest.is_object())
            h += "<h4>Analysis options</h4><pre>" + html_escape(manifest.value("options", nlohmann::json()).dump(2)) + "</pre>\n";
    }
    return h + "</section>\n";
}

}  // namespace kupffer::pipeline::internal
