#include "kupffer/quant/count_metrics.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "kupffer/core/statistics.hpp"

namespace kupffer::quant {

CountMetrics summarize(const CountResults& counts, const CellCallingResults& cells, std::uint64_t read_pairs) {
    CountMetrics m;
    const auto& mat = counts.counts;
    std::vector<double> genes, umis;
    std::uint64_t reads_in_cells = 0, reads_counted = 0;
    double molecules = 0;
    std::vector<char> detected(mat.n_rows, 0);
    for (std::uint32_t c = 0; c < mat.n_cols; ++c) {
        double total = 0;
        for (auto v : mat.column_values(c)) total += v;
        molecules += total;
        reads_counted += counts.barcode_reads[c];
        if (!cells.is_cell[c]) continue;
        ++m.estimated_cells;
        reads_in_cells += counts.barcode_reads[c];
        umis.push_back(total);
        genes.push_back(static_cast<double>(mat.column_rows(c).size()));
        for (auto g : mat.column_rows(c)) detected[g] = 1;
    }
    m.mean_reads_per_cell = m.estimated_cells ? static_cast<double>(read_pairs) / static_cast<double>(m.estimated_cells) : 0;
    m.median_genes_per_cell = median(genes);
    m.median_umis_per_cell = median(umis);
    m.sequencing_saturation = reads_counted ? 1.0 - molecules / static_cast<double>(reads_counted) : 0;
    m.fraction_reads_in_cells = reads_counted ? static_cast<double>(reads_in_cells) / static_cast<double>(reads_counted) : 0;
    for (char d : detected) m.total_genes_detected += d;
    m.ordmag_cells = cells.ordmag_cells;
    m.emptydrops_cells = cells.emptydrops_cells;
    return m;
}

std::string metrics_json(const CountMetrics& m, const CountResults& counts) {
    const nlohmann::json j = {{"estimated_cells", m.estimated_cells},
                              {"cells_ordmag", m.ordmag_cells},
                              {"cells_emptydrops", m.emptydrops_cells},
                              {"mean_reads_per_cell", m.mean_reads_per_cell},
                              {"median_genes_per_cell", m.median_genes_per_cell},
                              {"median_umis_per_cell", m.median_umis_per_cell},
                              {"sequencing_saturation", m.sequencing_saturation},
                              {"fraction_reads_in_cells", m.fraction_reads_in_cells},
                              {"total_genes_detected", m.total_genes_detected},
                              {"barcodes_with_molecules", counts.barcodes.size()},
                              {"reads_in_records", counts.reads},
                              {"reads_dropped_bad_umi", counts.reads_bad_umi},
                              {"reads_dropped_multi_gene", counts.reads_multi_gene},
                              {"multi_gene_molecules_assigned_by_em", counts.molecules_em},
                              {"umis_merged_by_correction", counts.umis_merged}};
    return j.dump(2) + "\n";
}

std::string metrics_csv(const CountMetrics& m) {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "Estimated Number of Cells,Mean Reads per Cell,Median Genes per Cell,Median UMI Counts per Cell,"
                  "Sequencing Saturation,Fraction Reads in Cells,Total Genes Detected\n"
                  "%llu,%.0f,%.0f,%.0f,%.1f%%,%.1f%%,%llu\n",
                  static_cast<unsigned long long>(m.estimated_cells), m.mean_reads_per_cell, m.median_genes_per_cell,
                  m.median_umis_per_cell, 100 * m.sequencing_saturation, 100 * m.fraction_reads_in_cells,
                  static_cast<unsigned long long>(m.total_genes_detected));
    return buf;
}

}  // namespace kupffer::quant
