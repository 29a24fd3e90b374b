#pragma once
// Count matrices as Cell Ranger 3+ lays them out, so Seurat::Read10X and scanpy.read_10x_mtx
// load them as they are: matrix.mtx.gz (genes x barcodes), features.tsv.gz (id, name,
// "Gene Expression"), barcodes.tsv.gz (sequence + "-1").
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer::quant {

/// Writes `folder` (created) with the three files, each atomically.
void write_10x_mtx(const std::filesystem::path& folder, const CountMatrix& matrix, const std::vector<std::string>& gene_ids,
                   const std::vector<std::string>& gene_names, const std::vector<std::string>& barcodes);

/// The columns of `matrix` where keep[c] is true.
CountMatrix select_columns(const CountMatrix& matrix, const std::vector<bool>& keep);

}  // namespace kupffer::quant
