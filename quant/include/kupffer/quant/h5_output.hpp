#pragma once
// Count matrices as HDF5 files the ecosystem loads as they are: Cell Ranger 3+'s
// *_feature_bc_matrix.h5 (Seurat::Read10X_h5, scanpy.read_10x_h5) and AnnData's .h5ad
// (anndata.read_h5ad; cells x genes, CSR). Both are written under a temporary name and renamed.
#include <filesystem>
#include <string>
#include <vector>

#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer::quant {

struct MatrixLabels {
    std::vector<std::string> gene_ids, gene_names;
    std::vector<std::string> barcodes;  ///< as written to barcodes.tsv.gz ("...-1")
    std::string genome = "kupffer";
};

void write_10x_h5(const std::filesystem::path& path, const CountMatrix& matrix, const MatrixLabels& labels);

/// X = counts (cells x genes); optional layers (same shape), e.g. spliced/unspliced.
void write_h5ad(const std::filesystem::path& path, const CountMatrix& matrix, const MatrixLabels& labels,
                const std::vector<std::pair<std::string, const CountMatrix*>>& layers = {});

}  // namespace kupffer::quant
