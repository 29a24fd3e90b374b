#include "kupffer/cluster/annotate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/parallel.hpp"
#include "kupffer/core/random.hpp"
#include "kupffer/core/text_reader.hpp"

namespace kupffer::cluster {

const std::vector<MarkerPanel>& hepatic_marker_panels() {
    static const std::vector<MarkerPanel> panels = {
        {"classical_monocyte", {"CD14", "LYZ", "VCAN", "FCN1", "CCR2"}},  // not S100A8/9, SELL: neutrophils express them more
        {"nonclassical_monocyte", {"FCGR3A", "CX3CR1", "MS4A7", "LST1", "CDKN1C"}},
        {"mo_macrophage", {"CD68", "MAFB", "SPP1", "FCGR1A", "MRC1", "APOE", "C1QA", "CSF1R"}},
        {"kupffer_cell", {"MARCO", "VSIG4", "TIMD4", "CD5L", "VCAM1", "HMOX1", "CD163", "C1QC"}},
        {"neutrophil", {"CSF3R", "FCGR3B", "CXCR2", "MMP9", "LCN2"}},
        {"t_cell", {"CD3D", "CD3E", "CD2", "IL7R", "TRAC", "CD8A"}},
        {"nk_cell", {"NKG7", "GNLY", "KLRD1", "KLRF1", "PRF1", "GZMB"}},
        {"b_cell", {"MS4A1", "CD79A", "CD79B", "CD19", "BANK1"}},
        {"plasma_cell", {"JCHAIN", "MZB1", "IGHG1", "SDC1", "XBP1"}},
        {"dendritic_cell", {"FCER1A", "CD1C", "CLEC10A", "CLEC9A", "HLA-DQA1"}},
        {"hepatocyte", {"ALB", "APOA1", "APOC3", "TTR", "SERPINA1", "HP", "FGB", "TF", "CYP3A4", "APOA2"}},
        {"endothelial_cell", {"STAB2", "CLEC4G", "PECAM1", "VWF", "KDR", "FCGR2B"}},
        {"stellate_cell", {"DCN", "COL1A1", "COL3A1", "LUM", "RBP1", "RGS5", "ACTA2", "PDGFRB"}},
    };
    return panels;
}

const MarkerPanel* find_panel(const std::vector<MarkerPanel>& panels, const std::string& cell_type) {
    for (const auto& p : panels)
        if (p.cell_type == cell_type) return &p;
    return nullptr;
}

std::string panel_names(const std::vector<MarkerPanel>& panels) {
    std::string names;
    for (const auto& p : panels) names += (names.empty() ? "" : ", ") + p.cell_type;
    return names;
}

std::vector<MarkerPanel> read_marker_panels(const std::filesystem::path& path) {
    std::vector<MarkerPanel> panels;
    std::set<std::string> seen;
    const auto lines = read_lines(path);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string_view line = lines[i];
        if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        auto trim = [](std::string_view s) {
            while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
            while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
            return s;
        };
        line = trim(line);
        if (line.empty()) continue;
        const auto cut = line.find_first_of("\t,");
        if (cut == std::string_view::npos) throw InputError(path.string(), i + 1, "expected '<cell type><TAB><gene>,<gene>...'");
        MarkerPanel panel{std::string(trim(line.substr(0, cut))), {}};
        for (auto gene : split(line.substr(cut + 1), ','))
            if (auto g = trim(gene); !g.empty()) panel.genes.emplace_back(g);
        if (panel.cell_type.empty() || panel.genes.empty())
            throw InputError(path.string(), i + 1, "a panel needs a cell type and at least one gene");
        if (!seen.insert(panel.cell_type).second)
            throw InputError(path.string(), i + 1, "cell type '" + panel.cell_type + "' has a panel already");
        panels.push_back(std::move(panel));
    }
    if (panels.empty()) throw InputError(path.string(), 0, "no marker panels");
    return panels;
}

ModuleScoreResults module_scores(const SparseMatrix<float>& x, const std::vector<std::string>& gene_names,
                                 const std::vector<MarkerPanel>& panels, const ModuleScoreOptions& options) {
    if (gene_names.size() != x.n_rows) throw OptionError("module_scores: one name per gene is needed");
    if (options.bins == 0 || options.controls == 0) throw OptionError("module_scores: bins and controls must be positive");
    const std::uint32_t n_genes = x.n_rows;
    std::unordered_map<std::string, std::uint32_t> index;
    for (std::uint32_t g = 0; g < n_genes; ++g) index.emplace(gene_names[g], g);

    // Expression bins of equal size by average log-expression (ties by gene order).
    std::vector<double> mean = x.row_sums();
    for (auto& m : mean) m /= std::max<double>(1, x.n_cols);
    std::vector<std::uint32_t> order(n_genes);
    std::iota(order.begin(), order.end(), 0U);
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return mean[a] < mean[b]; });
    std::vector<std::uint32_t> bin(n_genes);
    std::vector<std::vector<std::uint32_t>> members(options.bins);
    for (std::uint32_t r = 0; r < n_genes; ++r) {
        bin[order[r]] = static_cast<std::uint32_t>(static_cast<std::uint64_t>(r) * options.bins / n_genes);
        members[bin[order[r]]].push_back(order[r]);
    }

    ModuleScoreResults results;
    const std::size_t n_panels = panels.size();
    // Each gene's weight in each panel's score: +1/|panel| as a panel gene, -1/|controls| as a control.
    std::vector<std::vector<std::pair<std::uint32_t, double>>> weights(n_genes);
    std::vector<bool> scorable(n_panels, false);
    for (std::size_t p = 0; p < n_panels; ++p) {
        std::vector<std::uint32_t> used;
        std::vector<std::string> missing;
        for (const auto& name : panels[p].genes) {
            auto it = index.find(name);
            if (it == index.end()) missing.push_back(name);
            else if (std::find(used.begin(), used.end(), it->second) == used.end()) used.push_back(it->second);
        }
        std::set<std::uint32_t> controls;
        Rng rng(options.seed, 0x4D5C, p);
        for (auto g : used) {
            std::vector<std::uint32_t> pool = members[bin[g]];
            const std::size_t take = std::min<std::size_t>(options.controls, pool.size());
            for (std::size_t i = 0; i < take; ++i) {  // partial Fisher-Yates: sampling without replacement
                std::swap(pool[i], pool[i + rng.below(pool.size() - i)]);
                controls.insert(pool[i]);
            }
        }
        std::map<std::uint32_t, double> w;
        for (auto g : used) w[g] += 1.0 / static_cast<double>(used.size());
        for (auto g : controls) w[g] -= 1.0 / static_cast<double>(controls.size());
        for (const auto& [g, v] : w) weights[g].emplace_back(static_cast<std::uint32_t>(p), v);
        scorable[p] = !used.empty();
        results.genes_used.push_back(std::move(used));
        results.genes_missing.push_back(std::move(missing));
    }

    results.scores.assign(n_panels, std::vector<double>(x.n_cols, 0.0));
    parallel_chunks(x.n_cols, 512, options.threads, [&](std::size_t, std::size_t begin, std::size_t end) {
        for (std::size_t c = begin; c < end; ++c) {
            const auto rows = x.column_rows(static_cast<std::uint32_t>(c));
            const auto values = x.column_values(static_cast<std::uint32_t>(c));
            for (std::size_t i = 0; i < rows.size(); ++i)
                for (const auto& [p, w] : weights[rows[i]]) results.scores[p][c] += w * values[i];
        }
    });
    for (std::size_t p = 0; p < n_panels; ++p)
        if (!scorable[p]) std::fill(results.scores[p].begin(), results.scores[p].end(), std::numeric_limits<double>::quiet_NaN());
    return results;
}

AnnotateResults annotate_cells(const SparseMatrix<float>& logcounts, const std::vector<std::string>& gene_names,
                               const std::vector<std::uint32_t>& clusters, const std::vector<MarkerPanel>& panels,
                               const AnnotateOptions& options) {
    if (panels.empty()) throw OptionError("annotate_cells: no marker panels");
    if (clusters.size() != logcounts.n_cols) throw OptionError("annotate_cells: one cluster label per cell is needed");
    AnnotateResults r;
    r.module = module_scores(logcounts, gene_names, panels, options.scores);
    const std::size_t n_panels = panels.size();
    const std::uint32_t cells = logcounts.n_cols;
    std::vector<std::int32_t> best_of(cells, -1);
    r.cell_label.assign(cells, "unassigned");
    r.cell_margin.assign(cells, 0.0);
    for (std::uint32_t c = 0; c < cells; ++c) {
        double best = -std::numeric_limits<double>::infinity(), second = best;
        std::int32_t arg = -1;
        for (std::size_t p = 0; p < n_panels; ++p) {
            const double s = r.module.scores[p][c];
            if (std::isnan(s)) continue;
            if (s > best) second = best, best = s, arg = static_cast<std::int32_t>(p);
            else if (s > second) second = s;
        }
        if (arg >= 0 && best > options.min_score) {
            best_of[c] = arg;
            r.cell_label[c] = panels[static_cast<std::size_t>(arg)].cell_type;
            r.cell_margin[c] = std::isfinite(second) ? best - second : best;
        }
    }
    const std::uint32_t k = clusters.empty() ? 0 : *std::max_element(clusters.begin(), clusters.end()) + 1;
    r.cluster_mean_score.assign(k, std::vector<double>(n_panels, 0.0));
    std::vector<double> size(k, 0);
    for (std::uint32_t c = 0; c < cells; ++c) {
        size[clusters[c]] += 1;
        for (std::size_t p = 0; p < n_panels; ++p) r.cluster_mean_score[clusters[c]][p] += r.module.scores[p][c];
    }
    r.cluster_label.assign(k, "unassigned");
    r.cluster_confidence.assign(k, 0.0);
    for (std::uint32_t l = 0; l < k; ++l) {
        std::int32_t arg = -1;
        double best = options.min_score;
        for (std::size_t p = 0; p < n_panels; ++p) {
            auto& m = r.cluster_mean_score[l][p];
            m /= std::max(1.0, size[l]);
            if (!std::isnan(m) && m > best) best = m, arg = static_cast<std::int32_t>(p);
        }
        if (arg < 0) continue;
        r.cluster_label[l] = panels[static_cast<std::size_t>(arg)].cell_type;
        double agree = 0;
        for (std::uint32_t c = 0; c < cells; ++c)
            if (clusters[c] == l && best_of[c] == arg) agree += 1;
        r.cluster_confidence[l] = agree / std::max(1.0, size[l]);
    }
    return r;
}

}  // namespace kupffer::cluster
