#pragma once
// MatrixMarket coordinate files, as Cell Ranger writes them (genes x barcodes, 1-based, integer).
#include <filesystem>

#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer {

/// Writes an integer coordinate MatrixMarket file (gzip if the name ends in .gz), atomically.
void write_matrix_market(const std::filesystem::path& path, const CountMatrix& matrix);

/// Reads an integer (or integer-valued real) coordinate MatrixMarket file, plain or gzip.
/// Errors name the file and line.
CountMatrix read_matrix_market(const std::filesystem::path& path);

}  // namespace kupffer
