#pragma once
// A study's samples as one gene x cell matrix with per-cell metadata: the samplesheet
// (sample,group,timepoint,animal[,more columns]) says which samples and what they are; each
// sample's filtered matrix comes from its folder (Cell Ranger layout).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer::cluster {

struct Samplesheet {
    std::vector<std::string> columns;            ///< header, starting sample,group,timepoint,animal
    std::vector<std::vector<std::string>> rows;  ///< one per sample, same width as columns
    std::size_t column(const std::string& name) const;  ///< index; OptionError if absent
};

/// Reads a CSV samplesheet; InputError naming file and line for missing required columns, rows of
/// the wrong width, empty or duplicate sample names.
Samplesheet read_samplesheet(const std::filesystem::path& path);

struct AggregateOptions {
    /// Folder holding <sample>/<matrix>/ for every sample (kupffer's samples/ or Cell Ranger outs).
    std::filesystem::path samples_dir;
    std::string matrix = "filtered_feature_bc_matrix";
};

struct Dataset {
    CountMatrix counts;  ///< genes x cells
    std::vector<std::string> gene_ids, gene_names;
    std::vector<std::string> cells;  ///< "<sample>_<barcode>" (barcode as in barcodes.tsv.gz)
    std::vector<std::string> metadata_columns;        ///< samplesheet columns
    std::vector<std::vector<std::string>> metadata;   ///< per column, per cell
    std::vector<std::uint32_t> sample_of_cell;        ///< index into the samplesheet rows
    std::vector<std::string> sample_names;            ///< the samplesheet's samples, in its order
    std::vector<std::string> metadata_of(const std::string& column) const;
};

/// Reads and concatenates every sample's matrix; all samples must share their features (same ids
/// in the same order), else InputError naming the sample.
Dataset aggregate(const Samplesheet& sheet, const AggregateOptions& options);

}  // namespace kupffer::cluster
