#include "kupffer/cluster/cytokines.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "internal.hpp"
#include "kupffer/core/errors.hpp"

namespace kupffer::cluster {

using internal::distinct;

CytokineResults compare_cytokines(const CountMatrix& counts, const SparseMatrix<float>& logcounts,
                                  const std::vector<std::string>& gene_names, const CellDesign& d,
                                  const CytokineOptions& o) {
    const std::uint32_t n_cells = counts.n_cols;
    for (const auto* v : {&d.cell_type, &d.group, &d.timepoint, &d.sample})
        if (v->size() != n_cells) throw OptionError("compare_cytokines: every cell needs a type, group, timepoint and sample");
    if (o.min_replicates < 1) throw OptionError("compare_cytokines: min_replicates must be at least 1");
    std::unordered_map<std::string, std::uint32_t> gene_index;
    for (std::uint32_t g = 0; g < gene_names.size(); ++g) gene_index.emplace(gene_names[g], g);
    std::vector<std::pair<std::string, std::uint32_t>> panel;
    for (const auto& name : o.genes)
        if (auto it = gene_index.find(name); it != gene_index.end()) panel.emplace_back(name, it->second);

    CytokineResults r;
    const auto types = distinct(d.cell_type);
    const auto timepoints = distinct(d.timepoint);
    const auto groups = d.group_order.empty() ? distinct(d.group) : d.group_order;

    // Descriptive: fraction expressing and mean expression per type x group x timepoint.
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<std::uint32_t>> cells_of;
    for (std::uint32_t c = 0; c < n_cells; ++c) cells_of[{d.cell_type[c], d.group[c], d.timepoint[c]}].push_back(c);
    for (const auto& type : types)
        for (const auto& tp : timepoints)
            for (const auto& group : groups) {
                auto it = cells_of.find({type, group, tp});
                if (it == cells_of.end()) continue;
                for (const auto& [name, g] : panel) {
                    CytokineSummary s{type, group, tp, name, static_cast<std::uint32_t>(it->second.size()), 0, 0};
                    for (auto c : it->second) {
                        const auto rows = logcounts.column_rows(c);
                        const auto at = std::lower_bound(rows.begin(), rows.end(), g);
                        if (at != rows.end() && *at == g) {
                            s.expressing += 1;
                            s.mean_expression += logcounts.column_values(c)[static_cast<std::size_t>(at - rows.begin())];
                        }
                    }
                    s.expressing /= s.cells;
                    s.mean_expression /= s.cells;
                    r.summary.push_back(std::move(s));
                }
            }

    // Pseudobulk per type x timepoint: one column per sample with enough cells of that type.
    for (const auto& type : types)
        for (const auto& tp : timepoints) {
            std::map<std::string, std::vector<std::uint32_t>> by_sample;
            std::map<std::string, std::string> group_of;
            for (std::uint32_t c = 0; c < n_cells; ++c)
                if (d.cell_type[c] == type && d.timepoint[c] == tp) by_sample[d.sample[c]].push_back(c), group_of[d.sample[c]] = d.group[c];
            PseudobulkTable t{type, tp, {}, {}, {}, {}};
            for (const auto& group : groups)
                for (const auto& [sample, cells] : by_sample)
                    if (group_of[sample] == group && cells.size() >= o.min_cells) {
                        t.samples.push_back(sample);
                        t.groups.push_back(group);
                        t.cells.push_back(static_cast<std::uint32_t>(cells.size()));
                    }
            if (t.samples.empty()) continue;
            t.counts = Eigen::MatrixXd::Zero(counts.n_rows, static_cast<Eigen::Index>(t.samples.size()));
            for (std::size_t j = 0; j < t.samples.size(); ++j)
                for (auto c : by_sample[t.samples[j]]) {
                    const auto rows = counts.column_rows(c);
                    const auto values = counts.column_values(c);
                    for (std::size_t k = 0; k < rows.size(); ++k) t.counts(rows[k], static_cast<Eigen::Index>(j)) += values[k];
                }
            // Groups with enough replicates enter the tests.
            std::vector<std::string> present;
            for (const auto& group : groups)
                if (static_cast<std::uint32_t>(std::count(t.groups.begin(), t.groups.end(), group)) >= o.min_replicates)
                    present.push_back(group);
            std::vector<std::size_t> columns;
            for (std::size_t j = 0; j < t.groups.size(); ++j)
                if (std::find(present.begin(), present.end(), t.groups[j]) != present.end()) columns.push_back(j);
            const std::string where = type + " at " + tp;
            if (present.size() < 2) {
                r.skipped.push_back(where + ": fewer than two groups with " + std::to_string(o.min_replicates) + " samples of >= " +
                                    std::to_string(o.min_cells) + " cells");
            } else if (columns.size() <= present.size()) {
                r.skipped.push_back(where + ": no residual degrees of freedom (" + std::to_string(columns.size()) + " samples in " +
                                    std::to_string(present.size()) + " groups)");
            } else {
                Eigen::MatrixXd y(t.counts.rows(), static_cast<Eigen::Index>(columns.size()));
                std::vector<std::uint32_t> group_id(columns.size());
                for (std::size_t j = 0; j < columns.size(); ++j) {
                    y.col(static_cast<Eigen::Index>(j)) = t.counts.col(static_cast<Eigen::Index>(columns[j]));
                    group_id[j] = static_cast<std::uint32_t>(std::find(present.begin(), present.end(), t.groups[columns[j]]) - present.begin());
                }
                // Every pair (reference a, group b): an intercept for a and one indicator per other group.
                for (std::size_t a = 0; a < present.size(); ++a)
                    for (std::size_t b = a + 1; b < present.size(); ++b) {
                        Eigen::MatrixXd design = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(columns.size()), static_cast<Eigen::Index>(present.size()));
                        std::uint32_t tested = 0;
                        for (std::size_t j = 0; j < columns.size(); ++j) {
                            design(static_cast<Eigen::Index>(j), 0) = 1;
                            Eigen::Index col = 1;
                            for (std::size_t g = 0; g < present.size(); ++g) {
                                if (g == a) continue;
                                if (g == b) tested = static_cast<std::uint32_t>(col);
                                if (group_id[j] == g) design(static_cast<Eigen::Index>(j), col) = 1;
                                ++col;
                            }
                        }
                        try {
                            r.comparisons.push_back({type, tp, present[b], present[a], ql_test(y, design, tested, group_id, o.ql)});
                        } catch (const OptionError& e) {
                            r.skipped.push_back(where + " (" + present[b] + " vs " + present[a] + "): " + e.what());
                        }
                    }
            }
            r.pseudobulk.push_back(std::move(t));
        }
    return r;
}

}  // namespace kupffer::cluster
