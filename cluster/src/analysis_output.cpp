#include "kupffer/cluster/analysis_output.hpp"
#include "kupffer/cluster/group_tests.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "kupffer/cluster/svg_plot.hpp"
#include "kupffer/core/anndata.hpp"
#include "internal.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/core/statistics.hpp"

namespace kupffer::cluster {

using internal::distinct;

namespace fs = std::filesystem;

namespace {

std::string num(double v) {
    if (std::isnan(v)) return "NA";
    char b[32];
    std::snprintf(b, sizeof b, "%.6g", v);
    return b;
}

double quantile(std::vector<double> v, double p) {
    if (v.empty()) return std::nan("");
    std::sort(v.begin(), v.end());
    const double h = (static_cast<double>(v.size()) - 1) * p;
    const auto lo = static_cast<std::size_t>(h);
    return lo + 1 < v.size() ? v[lo] + (h - static_cast<double>(lo)) * (v[lo + 1] - v[lo]) : v[lo];
}

/// Lower-case, no spaces or slashes: for file names made from cell types and groups.
std::string slug(const std::string& s) {
    std::string out;
    for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
    return out;
}

}  // namespace

/// composition_tests.tsv / maturation_tests.tsv: each comparison's replicate counts, the means on
/// the values' own scale (`shown`), the difference, and the test (on `tested`, same order).
static std::string group_tests_tsv(const std::string& feature_column, const std::vector<GroupTest>& tested, const std::vector<GroupTest>& shown) {
    std::string t = feature_column + "\ttimepoint\tgroup\treference\tanimals_group\tanimals_reference\tmean_group\tmean_reference\tdifference\tt\tdf\tp_value\tfdr\tprior_df\n";
    for (std::size_t i = 0; i < tested.size(); ++i) {
        const auto& x = tested[i];
        const auto& m = shown[i];
        t += x.feature + "\t" + x.timepoint + "\t" + x.group + "\t" + x.reference + "\t" + std::to_string(x.n_group) + "\t" +
             std::to_string(x.n_reference) + "\t" + num(m.mean_group) + "\t" + num(m.mean_reference) + "\t" +
             num(m.mean_group - m.mean_reference) + "\t" + num(x.t) + "\t" + num(x.df) + "\t" + num(x.p_value) + "\t" + num(x.fdr) + "\t" + num(x.prior_df) + "\n";
    }
    return t;
}

namespace {

/// Everything `write_analysis` writes, one file (or family) per step; the per-cell labels every
/// step needs are resolved once.
struct AnalysisWriter {
    const Dataset& data;
    const AnalysisResults& r;
    const AnalysisOptions& o;
    const AnalysisOutputOptions& output;
    std::filesystem::path root;
    std::uint32_t n = r.counts.n_cols;
    std::vector<std::string> cells, cluster_names, group_all, group_order, sample_all, timepoint_all, animal_all, types;

    AnalysisWriter(const Dataset& d, const AnalysisResults& results, const AnalysisOptions& options, const AnalysisOutputOptions& out,
                   std::filesystem::path folder)
        : data(d), r(results), o(options), output(out), root(std::move(folder)), cluster_names(n) {
        for (auto c : r.analysed) cells.push_back(data.cells[c]);
        for (std::uint32_t i = 0; i < n; ++i) cluster_names[i] = std::to_string(r.clusters[i]);
        group_all = data.metadata_of(o.group_column);
        group_order = distinct(group_all);
        sample_all = data.metadata_of("sample");
        timepoint_all = data.metadata_of(o.timepoint_column);
        animal_all = data.metadata_of(o.animal_column);
        for (const auto& p : o.panels) types.push_back(p.cell_type);
        types.push_back("unassigned");
    }

    /// AnnData: X log-normalised, layers/counts, obs, var, obsm, uns.
    void write_anndata() const {
        H5adWriter h5(root / "analysis.h5ad");
        h5.x(r.normalized.logcounts);
        h5.layer("counts", r.counts);
        DataFrame obs{cells, {}};
        for (std::size_t m = 0; m < data.metadata_columns.size(); ++m) {
            std::vector<std::string> v;
            for (auto c : r.analysed) v.push_back(data.metadata[m][c]);
            obs.columns.push_back({data.metadata_columns[m], Categorical::from_labels(v, distinct(data.metadata[m]))});
        }
        auto qc_column = [&](const std::vector<double>& all) {
            std::vector<double> v;
            for (auto c : r.analysed) v.push_back(all[c]);
            return v;
        };
        obs.columns.push_back({"total_counts", qc_column(r.qc.umis)});
        obs.columns.push_back({"n_genes_by_counts", qc_column(r.qc.genes)});
        obs.columns.push_back({"pct_counts_mt", [&] {
                                   auto v = qc_column(r.qc.mito_fraction);
                                   for (auto& x : v) x *= 100;
                                   return v;
                               }()});
        obs.columns.push_back({"doublet_score", qc_column(r.doublets.score)});
        {
            std::vector<std::string> v;
            for (auto c : r.analysed) v.push_back(std::isnan(r.doublets.score[c]) ? "unscored" : r.doublets.predicted[c] ? "doublet" : "singlet");
            obs.columns.push_back({"doublet_class", Categorical::from_labels(v, {"singlet", "doublet", "unscored"})});
        }
        obs.columns.push_back({"size_factor", r.normalized.size_factors});
        if (!r.quick_clusters.empty()) {
            std::vector<std::string> v, order;
            for (auto k : r.quick_clusters) v.push_back(std::to_string(k));
            for (std::uint32_t k = 0; k <= *std::max_element(r.quick_clusters.begin(), r.quick_clusters.end()); ++k) order.push_back(std::to_string(k));
            obs.columns.push_back({"quick_cluster", Categorical::from_labels(v, order)});
        }
        std::vector<std::string> cluster_order;
        for (std::size_t k = 0; k < r.annotation.cluster_label.size(); ++k) cluster_order.push_back(std::to_string(k));
        obs.columns.push_back({"leiden", Categorical::from_labels(cluster_names, cluster_order)});
        std::vector<std::string> type_order;
        for (const auto& p : o.panels) type_order.push_back(p.cell_type);
        obs.columns.push_back({"cell_type", Categorical::from_labels(r.cell_type, type_order)});
        obs.columns.push_back({"cell_type_per_cell", Categorical::from_labels(r.annotation.cell_label, type_order)});
        obs.columns.push_back({"annotation_margin", r.annotation.cell_margin});
        obs.columns.push_back({"maturation_pseudotime", r.maturation_pseudotime});
        obs.columns.push_back({"maturation_score", r.maturation_score});
        for (std::size_t p = 0; p < o.panels.size(); ++p) obs.columns.push_back({"score_" + o.panels[p].cell_type, r.annotation.module.scores[p]});
        h5.obs(obs);
        std::vector<std::int64_t> hvg(data.gene_names.size(), 0);
        for (auto g : r.hvg.selected) hvg[g] = 1;
        h5.var({data.gene_names,
                {{"gene_ids", data.gene_ids}, {"highly_variable", hvg}, {"means", r.hvg.mean}, {"variances", r.hvg.total}}});
        auto dense = [](const Eigen::MatrixXd& m) {
            std::vector<double> v(static_cast<std::size_t>(m.size()));
            for (Eigen::Index i = 0; i < m.rows(); ++i)
                for (Eigen::Index j = 0; j < m.cols(); ++j) v[static_cast<std::size_t>(i * m.cols() + j)] = m(i, j);
            return v;
        };
        h5.obsm("X_pca", static_cast<std::size_t>(r.pca.scores.rows()), static_cast<std::size_t>(r.pca.scores.cols()), dense(r.pca.scores));
        if (!o.integrate_by.empty())
            h5.obsm("X_pca_harmony", static_cast<std::size_t>(r.embedding.rows()), static_cast<std::size_t>(r.embedding.cols()), dense(r.embedding));
        h5.obsm("X_umap", static_cast<std::size_t>(r.umap.rows()), static_cast<std::size_t>(r.umap.cols()), dense(r.umap));
        h5.uns("kupffer_parameters", output.parameters.dump());
        h5.uns("seed", static_cast<double>(o.seed));
        h5.commit();
    }

    /// cells.tsv.gz: every cell of the dataset.
    void write_cells() const {
        std::vector<std::int64_t> position(data.counts.n_cols, -1);
        for (std::uint32_t i = 0; i < n; ++i) position[r.analysed[i]] = i;
        std::string t = "cell";
        for (const auto& col : data.metadata_columns) t += "\t" + col;
        t += "\tumis\tgenes\tmito_fraction\tlow_umis\tlow_genes\thigh_mito\tqc_pass\tdoublet_score\tpredicted_doublet\tanalysed\tcluster\tcell_type\tcell_type_per_cell"
             "\tmaturation_pseudotime\tmaturation_score\tumap_1\tumap_2\n";
        for (std::uint32_t c = 0; c < data.counts.n_cols; ++c) {
            t += data.cells[c];
            for (const auto& m : data.metadata) t += "\t" + m[c];
            t += "\t" + num(r.qc.umis[c]) + "\t" + num(r.qc.genes[c]) + "\t" + num(r.qc.mito_fraction[c]) + "\t" +
                 std::to_string(r.qc.low_umis[c]) + "\t" + std::to_string(r.qc.low_genes[c]) + "\t" + std::to_string(r.qc.high_mito[c]) +
                 "\t" + std::to_string(!r.qc.discard[c]) + "\t" + num(r.doublets.score[c]) + "\t" +
                 (std::isnan(r.doublets.score[c]) ? "NA" : std::to_string(r.doublets.predicted[c]));
            const auto i = position[c];
            if (i < 0) {
                t += "\t0\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n";
                continue;
            }
            const auto u = static_cast<std::size_t>(i);
            t += "\t1\t" + cluster_names[u] + "\t" + r.cell_type[u] + "\t" + r.annotation.cell_label[u] + "\t" +
                 num(r.maturation_pseudotime[u]) + "\t" + num(r.maturation_score[u]) + "\t" + num(r.umap(i, 0)) + "\t" +
                 num(r.umap.cols() > 1 ? r.umap(i, 1) : 0.0) + "\n";
        }
        write_text_file(root / "cells.tsv.gz", t);
    }

    /// clusters.tsv and markers.tsv.
    void write_clusters_and_markers() const {
        std::vector<std::size_t> size(r.annotation.cluster_label.size(), 0);
        for (auto k : r.clusters) ++size[k];
        std::string t = "cluster\tcells\tcell_type\tconfidence";
        for (const auto& p : o.panels) t += "\tscore_" + p.cell_type;
        t += "\n";
        for (std::size_t k = 0; k < size.size(); ++k) {
            t += std::to_string(k) + "\t" + std::to_string(size[k]) + "\t" + r.annotation.cluster_label[k] + "\t" +
                 num(r.annotation.cluster_confidence[k]);
            for (double s : r.annotation.cluster_mean_score[k]) t += "\t" + num(s);
            t += "\n";
        }
        write_text_file(root / "clusters.tsv", t);
        std::string m = "cluster\tcell_type\trank\tgene_id\tgene\tauc\tlog2_fc\tdetected_in\tdetected_out\tp_value\tfdr\n";
        for (std::size_t k = 0; k < r.markers.clusters.size(); ++k) {
            const auto& c = r.markers.clusters[k];
            for (std::size_t i = 0; i < std::min(output.markers_per_cluster, c.ranked.size()); ++i) {
                const auto g = c.ranked[i];
                m += std::to_string(k) + "\t" + r.annotation.cluster_label[k] + "\t" + std::to_string(i + 1) + "\t" + data.gene_ids[g] + "\t" +
                     data.gene_names[g] + "\t" + num(c.auc[g]) + "\t" + num(c.log2_fc[g]) + "\t" + num(c.detected_in[g]) + "\t" +
                     num(c.detected_out[g]) + "\t" + num(c.p_value[g]) + "\t" + num(c.fdr[g]) + "\n";
            }
        }
        write_text_file(root / "markers.tsv", m);
    }

    /// doublets.tsv: per sample, Scrublet's summary of the doublet calls.
    void write_doublets() const {
        if (r.doublets.threshold.empty()) return;
        {
        std::vector<std::string> samples(r.doublets.threshold.size());
        for (std::uint32_t c = 0; c < data.counts.n_cols; ++c) samples[data.sample_of_cell[c]] = sample_all[c];
        std::vector<std::size_t> scored(samples.size(), 0), called(samples.size(), 0);
        for (std::uint32_t c = 0; c < data.counts.n_cols; ++c) {
            if (std::isnan(r.doublets.score[c])) continue;
            ++scored[data.sample_of_cell[c]];
            called[data.sample_of_cell[c]] += r.doublets.predicted[c];
        }
        std::string t = "sample\tcells_scored\tpredicted_doublets\tthreshold\texpected_rate\tdetectable_fraction\timplied_rate\n";
        for (std::size_t s = 0; s < samples.size(); ++s)
            t += samples[s] + "\t" + std::to_string(scored[s]) + "\t" + std::to_string(called[s]) + "\t" + num(r.doublets.threshold[s]) + "\t" +
                 num(r.doublets.rate[s]) + "\t" + num(r.doublets.detectable[s]) + "\t" + num(r.doublets.implied_rate[s]) + "\n";
        write_text_file(root / "doublets.tsv", t);
        }
    }

    /// composition.tsv, composition_tests.tsv and the composition plot.
    void write_composition() const {
        std::map<std::string, std::map<std::string, double>> count;
        std::map<std::string, double> total;
        for (std::uint32_t i = 0; i < n; ++i) {
            const auto& s = sample_all[r.analysed[i]];
            count[s][r.cell_type[i]] += 1;
            total[s] += 1;
        }
        std::string t = "sample\tgroup\ttimepoint\tanimal\tcell_type\tcells\tfraction\n";
        std::vector<std::string> bars;
        std::vector<std::vector<double>> fractions;
        for (const auto& g : group_order)
            for (const auto& s : distinct(sample_all)) {
                const auto at = static_cast<std::size_t>(std::find(sample_all.begin(), sample_all.end(), s) - sample_all.begin());
                if (group_all[at] != g || !total.count(s)) continue;
                bars.push_back(s);
                fractions.emplace_back();
                for (const auto& type : types) {
                    const double c = count[s].count(type) ? count[s][type] : 0.0;
                    fractions.back().push_back(c / total[s]);
                    if (c > 0)
                        t += s + "\t" + g + "\t" + timepoint_all[at] + "\t" + animal_all[at] + "\t" + type + "\t" + num(c) + "\t" + num(c / total[s]) + "\n";
                }
            }
        write_text_file(root / "composition.tsv", t);
        // Is a type's share different between groups, animals as replicates (arcsine-sqrt scale)?
        std::vector<ReplicateValue> shares, transformed;
        for (std::size_t b = 0; b < bars.size(); ++b) {
            const auto at = static_cast<std::size_t>(std::find(sample_all.begin(), sample_all.end(), bars[b]) - sample_all.begin());
            for (std::size_t k = 0; k < types.size(); ++k) {
                bool present = false;
                for (const auto& f : fractions) present |= f[k] > 0;
                if (!present) continue;
                shares.push_back({types[k], group_all[at], timepoint_all[at], bars[b], fractions[b][k]});
                transformed.push_back({types[k], group_all[at], timepoint_all[at], bars[b], arcsine_sqrt(fractions[b][k])});
            }
        }
        write_text_file(root / "composition_tests.tsv",
                        group_tests_tsv("cell_type", compare_groups(transformed, group_order, {.moderate = true}),
                                        compare_groups(shares, group_order)));
        write_text_file(root / "plots/composition.svg", svg::stacked_bars("Cell types per sample", bars, types, fractions));
    }

    /// Cytokines: summary, tests (panel), all genes, pseudobulk tables.
    void write_cytokines() const {
        std::string t = "cell_type\tgroup\ttimepoint\tgene\tcells\tfraction_expressing\tmean_log_expression\n";
        for (const auto& s : r.cytokines.summary)
            t += s.cell_type + "\t" + s.group + "\t" + s.timepoint + "\t" + s.gene + "\t" + std::to_string(s.cells) + "\t" + num(s.expressing) +
                 "\t" + num(s.mean_expression) + "\n";
        write_text_file(root / "cytokines.tsv", t);
        const std::string head = "cell_type\ttimepoint\tgroup\treference\tgene_id\tgene\tlog2_fc\tlog_cpm\tF\tp_value\tfdr\tdispersion\tprior_df\n";
        std::string panel = head, all = head;
        std::set<std::string> panel_genes(o.cytokines.genes.begin(), o.cytokines.genes.end());
        for (const auto& c : r.cytokines.comparisons)
            for (std::size_t g = 0; g < c.test.tested.size(); ++g) {
                if (!c.test.tested[g]) continue;
                const std::string row = c.cell_type + "\t" + c.timepoint + "\t" + c.group + "\t" + c.reference + "\t" + data.gene_ids[g] + "\t" +
                                        data.gene_names[g] + "\t" + num(c.test.log2_fc[g]) + "\t" + num(c.test.log_cpm[g]) + "\t" +
                                        num(c.test.f[g]) + "\t" + num(c.test.p_value[g]) + "\t" + num(c.test.fdr[g]) + "\t" +
                                        num(c.test.common_dispersion) + "\t" + num(c.test.prior_df) + "\n";
                all += row;
                if (panel_genes.count(data.gene_names[g])) panel += row;
            }
        write_text_file(root / "cytokine_tests.tsv", panel);
        write_text_file(root / "pseudobulk_de.tsv.gz", all);
        std::string index = "cell_type\ttimepoint\tfile\tsamples\n";
        for (const auto& pb : r.cytokines.pseudobulk) {
            const std::string name = slug(pb.cell_type) + "__" + slug(pb.timepoint);
            std::string m = "gene_id\tgene";
            for (const auto& s : pb.samples) m += "\t" + s;
            m += "\n";
            for (Eigen::Index g = 0; g < pb.counts.rows(); ++g) {
                m += data.gene_ids[static_cast<std::size_t>(g)] + "\t" + data.gene_names[static_cast<std::size_t>(g)];
                for (Eigen::Index j = 0; j < pb.counts.cols(); ++j) m += "\t" + std::to_string(static_cast<std::uint64_t>(pb.counts(g, j)));
                m += "\n";
            }
            write_text_file(root / "pseudobulk" / (name + ".counts.tsv.gz"), m);
            std::string sheet = "sample\tgroup\tcells\n";
            for (std::size_t j = 0; j < pb.samples.size(); ++j) sheet += pb.samples[j] + "\t" + pb.groups[j] + "\t" + std::to_string(pb.cells[j]) + "\n";
            write_text_file(root / "pseudobulk" / (name + ".samples.tsv"), sheet);
            index += pb.cell_type + "\t" + pb.timepoint + "\t" + name + "\t" + std::to_string(pb.samples.size()) + "\n";
        }
        write_text_file(root / "pseudobulk/index.tsv", index);
    }

    /// maturation.tsv, maturation_tests.tsv and the maturation plot.
    void write_maturation() const {
        std::string t = "group\ttimepoint\tanimal\tcells\tpseudotime_mean\tpseudotime_median\tpseudotime_q25\tpseudotime_q75\tscore_mean\tscore_median\n";
        std::map<std::tuple<std::string, std::string, std::string>, std::pair<std::vector<double>, std::vector<double>>> by;
        std::map<std::string, std::vector<double>> by_group;
        for (auto i : r.trajectory_cells) {
            const auto c = r.analysed[i];
            auto& e = by[{group_all[c], timepoint_all[c], animal_all[c]}];
            if (!std::isnan(r.maturation_pseudotime[i])) e.first.push_back(r.maturation_pseudotime[i]), by_group[group_all[c]].push_back(r.maturation_pseudotime[i]);
            e.second.push_back(r.maturation_score[i]);
        }
        for (const auto& g : group_order)
            for (const auto& [key, v] : by) {
                if (std::get<0>(key) != g) continue;
                double mean_t = 0, mean_s = 0;
                for (double x : v.first) mean_t += x / static_cast<double>(v.first.size());
                for (double x : v.second) mean_s += x / static_cast<double>(v.second.size());
                t += g + "\t" + std::get<1>(key) + "\t" + std::get<2>(key) + "\t" + std::to_string(v.second.size()) + "\t" +
                     num(v.first.empty() ? std::nan("") : mean_t) + "\t" + num(quantile(v.first, 0.5)) + "\t" + num(quantile(v.first, 0.25)) +
                     "\t" + num(quantile(v.first, 0.75)) + "\t" + num(mean_s) + "\t" + num(quantile(v.second, 0.5)) + "\n";
            }
        write_text_file(root / "maturation.tsv", t);
        // Maturation between groups with the animals as replicates: each animal's mean pseudotime
        // (animals with at least 5 cells on the axis).
        std::vector<ReplicateValue> per_animal;
        for (const auto& [key, v] : by) {
            if (v.first.size() < 5) continue;
            double mean = 0;
            for (double x : v.first) mean += x / static_cast<double>(v.first.size());
            per_animal.push_back({"pseudotime", std::get<0>(key), std::get<1>(key), std::get<2>(key), mean});
        }
        const auto tests = compare_groups(per_animal, group_order);
        write_text_file(root / "maturation_tests.tsv", group_tests_tsv("measure", tests, tests));
        std::vector<svg::ViolinSeries> series;
        for (const auto& g : group_order) series.push_back({g, by_group[g]});
        write_text_file(root / "plots/maturation_by_group.svg",
                        svg::violins("Monocyte -> macrophage maturation (" + o.trajectory_start + " + " + o.trajectory_end + ")",
                                     "maturation pseudotime", series));
    }

    /// UMAPs and cytokine violins.
    void write_umaps_and_violins() const {
        std::vector<double> x(n), y(n);
        for (std::uint32_t i = 0; i < n; ++i) x[i] = r.umap(i, 0), y[i] = r.umap.cols() > 1 ? r.umap(i, 1) : 0.0;
        std::vector<std::string> group(n), cluster_order;
        for (std::uint32_t i = 0; i < n; ++i) group[i] = group_all[r.analysed[i]];
        for (std::size_t k = 0; k < r.annotation.cluster_label.size(); ++k) cluster_order.push_back(std::to_string(k));
        write_text_file(root / "plots/umap_clusters.svg", svg::scatter("Leiden clusters", x, y, cluster_names, cluster_order));
        write_text_file(root / "plots/umap_cell_types.svg", svg::scatter("Cell types", x, y, r.cell_type));
        write_text_file(root / "plots/umap_groups.svg", svg::scatter("Treatment groups", x, y, group, group_order));
        std::map<std::string, std::uint32_t> gene_index;
        for (std::uint32_t g = 0; g < data.gene_names.size(); ++g) gene_index.emplace(data.gene_names[g], g);
        const auto present_types = distinct(r.cell_type);
        for (const auto& gene : o.cytokines.genes) {
            auto it = gene_index.find(gene);
            if (it == gene_index.end()) continue;
            std::vector<svg::ViolinSeries> series;
            for (const auto& type : present_types)
                for (const auto& g : group_order) {
                    svg::ViolinSeries s{type + " | " + g, {}};
                    for (std::uint32_t i = 0; i < n; ++i) {
                        if (r.cell_type[i] != type || group[i] != g) continue;
                        const auto rows = r.normalized.logcounts.column_rows(i);
                        const auto at = std::lower_bound(rows.begin(), rows.end(), it->second);
                        s.values.push_back(at != rows.end() && *at == it->second
                                               ? r.normalized.logcounts.column_values(i)[static_cast<std::size_t>(at - rows.begin())]
                                               : 0.0);
                    }
                    if (!s.values.empty()) series.push_back(std::move(s));
                }
            write_text_file(root / "plots" / ("violin_" + slug(gene) + ".svg"),
                            svg::violins(gene + " by cell type and group", "log2 normalised expression", series));
        }
    }

    /// analysis_summary.json: counts and notes.
    void write_summary() const {
    nlohmann::json summary = {{"cells", data.counts.n_cols},
                              {"cells_analysed", n},
                              {"cells_failing_qc", std::count(r.qc.discard.begin(), r.qc.discard.end(), true)},
                              {"predicted_doublets", std::count(r.doublets.predicted.begin(), r.doublets.predicted.end(), true)},
                              {"genes", data.counts.n_rows},
                              {"variable_genes", r.hvg.selected.size()},
                              {"clusters", r.annotation.cluster_label.size()},
                              {"trajectory_cells", r.trajectory_cells.size()},
                              {"maturation_agreement", std::isnan(r.maturation_agreement) ? nlohmann::json() : nlohmann::json(r.maturation_agreement)},
                              {"group_comparisons", r.cytokines.comparisons.size()},
                              {"notes", r.notes},
                              {"warnings", r.warnings}};
    write_text_file(root / "analysis_summary.json", summary.dump(2) + "\n");
    }
};

}  // namespace

void write_analysis(const Dataset& data, const AnalysisResults& r, const AnalysisOptions& o, const fs::path& out_dir,
                    const AnalysisOutputOptions& output) {
    StagingDirectory staging(out_dir, output.overwrite);
    fs::create_directories(staging.staging() / "plots");
    fs::create_directories(staging.staging() / "pseudobulk");
    const AnalysisWriter w(data, r, o, output, staging.staging());
    w.write_anndata();
    w.write_cells();
    w.write_clusters_and_markers();
    w.write_doublets();
    w.write_composition();
    w.write_cytokines();
    w.write_maturation();
    w.write_umaps_and_violins();
    w.write_summary();
    if (output.before_commit) output.before_commit(staging.staging());
    staging.commit();
}


}  // namespace kupffer::cluster
