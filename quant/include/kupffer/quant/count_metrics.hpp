#pragma once
// Cell Ranger-style summary metrics of a counted sample: metrics.json and metrics_summary.csv.
#include <cstdint>
#include <string>

#include "kupffer/quant/cell_calling.hpp"
#include "kupffer/quant/count.hpp"

namespace kupffer::quant {

struct CountMetrics {
    std::uint64_t estimated_cells = 0;
    double mean_reads_per_cell = 0;    ///< all read pairs of the sample / cells
    double median_genes_per_cell = 0;
    double median_umis_per_cell = 0;
    double sequencing_saturation = 0;  ///< 1 - molecules / reads, over counted reads
    double fraction_reads_in_cells = 0;///< of counted reads
    std::uint64_t total_genes_detected = 0;
    std::uint32_t ordmag_cells = 0, emptydrops_cells = 0;
};

/// `read_pairs`: every read pair of the sample (from map's metrics), for reads per cell.
CountMetrics summarize(const CountResults& counts, const CellCallingResults& cells, std::uint64_t read_pairs);
std::string metrics_json(const CountMetrics& m, const CountResults& counts);
std::string metrics_csv(const CountMetrics& m);

}  // namespace kupffer::quant
