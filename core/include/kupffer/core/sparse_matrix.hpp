#pragma once
// Compressed sparse column matrix (rows = genes, columns = cells/barcodes), the in-memory form of
// every count matrix. 32-bit row indices, 64-bit column offsets (a sample can exceed 4G entries).
#include <cstdint>
#include <span>
#include <vector>

namespace kupffer {

template <class Value>
struct SparseMatrix {
    std::uint32_t n_rows = 0;
    std::uint32_t n_cols = 0;
    std::vector<std::uint64_t> col_offsets{0};  ///< size n_cols + 1
    std::vector<std::uint32_t> row_indices;     ///< sorted ascending within each column
    std::vector<Value> values;

    std::uint64_t nnz() const noexcept { return row_indices.size(); }
    std::span<const std::uint32_t> column_rows(std::uint32_t col) const noexcept {
        return {row_indices.data() + col_offsets[col], row_indices.data() + col_offsets[col + 1]};
    }
    std::span<const Value> column_values(std::uint32_t col) const noexcept {
        return {values.data() + col_offsets[col], values.data() + col_offsets[col + 1]};
    }
    /// Sum of each column (e.g. UMIs per cell).
    std::vector<double> column_sums() const;
    /// Sum of each row (e.g. UMIs per gene).
    std::vector<double> row_sums() const;
};

using CountMatrix = SparseMatrix<std::uint32_t>;

struct Triplet {
    std::uint32_t row;
    std::uint32_t col;
    std::uint32_t value;
};

/// Builds a count matrix from triplets in any order; duplicate (row, col) entries are summed and
/// zeros dropped. Throws OptionError if an index is out of range.
CountMatrix count_matrix_from_triplets(std::uint32_t n_rows, std::uint32_t n_cols, std::vector<Triplet> triplets);

/// The transpose (e.g. genes x cells -> cells x genes, giving per-gene access to a CSC matrix).
template <class Value>
SparseMatrix<Value> transpose(const SparseMatrix<Value>& m);

/// The given columns, in the given order.
template <class Value>
SparseMatrix<Value> select_columns(const SparseMatrix<Value>& m, const std::vector<std::uint32_t>& columns);

extern template struct SparseMatrix<std::uint32_t>;
extern template struct SparseMatrix<float>;
extern template struct SparseMatrix<double>;

}  // namespace kupffer
