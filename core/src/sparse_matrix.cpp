#include "kupffer/core/sparse_matrix.hpp"

#include <algorithm>
#include <string>

#include "kupffer/core/errors.hpp"

namespace kupffer {

template <class Value>
std::vector<double> SparseMatrix<Value>::column_sums() const {
    std::vector<double> sums(n_cols, 0.0);
    for (std::uint32_t c = 0; c < n_cols; ++c)
        for (auto v : column_values(c)) sums[c] += static_cast<double>(v);
    return sums;
}

template <class Value>
std::vector<double> SparseMatrix<Value>::row_sums() const {
    std::vector<double> sums(n_rows, 0.0);
    for (std::uint64_t i = 0; i < nnz(); ++i) sums[row_indices[i]] += static_cast<double>(values[i]);
    return sums;
}

template struct SparseMatrix<std::uint32_t>;
template struct SparseMatrix<float>;
template struct SparseMatrix<double>;

template <class Value>
SparseMatrix<Value> transpose(const SparseMatrix<Value>& m) {
    SparseMatrix<Value> t;
    t.n_rows = m.n_cols;
    t.n_cols = m.n_rows;
    t.col_offsets.assign(static_cast<std::size_t>(m.n_rows) + 1, 0);
    for (auto r : m.row_indices) ++t.col_offsets[r + 1];
    for (std::uint32_t r = 0; r < m.n_rows; ++r) t.col_offsets[r + 1] += t.col_offsets[r];
    t.row_indices.resize(m.nnz());
    t.values.resize(m.nnz());
    std::vector<std::uint64_t> next(t.col_offsets.begin(), t.col_offsets.end() - 1);
    // Walking columns in order keeps each new column's rows sorted.
    for (std::uint32_t c = 0; c < m.n_cols; ++c)
        for (std::uint64_t k = m.col_offsets[c]; k < m.col_offsets[c + 1]; ++k) {
            const std::uint64_t at = next[m.row_indices[k]]++;
            t.row_indices[at] = c;
            t.values[at] = m.values[k];
        }
    return t;
}

template <class Value>
SparseMatrix<Value> select_columns(const SparseMatrix<Value>& m, const std::vector<std::uint32_t>& columns) {
    SparseMatrix<Value> out;
    out.n_rows = m.n_rows;
    out.n_cols = static_cast<std::uint32_t>(columns.size());
    out.col_offsets.reserve(columns.size() + 1);
    for (auto c : columns) {
        if (c >= m.n_cols) throw OptionError("column " + std::to_string(c) + " outside a matrix of " + std::to_string(m.n_cols));
        out.row_indices.insert(out.row_indices.end(), m.row_indices.begin() + static_cast<std::ptrdiff_t>(m.col_offsets[c]),
                               m.row_indices.begin() + static_cast<std::ptrdiff_t>(m.col_offsets[c + 1]));
        out.values.insert(out.values.end(), m.values.begin() + static_cast<std::ptrdiff_t>(m.col_offsets[c]),
                          m.values.begin() + static_cast<std::ptrdiff_t>(m.col_offsets[c + 1]));
        out.col_offsets.push_back(out.row_indices.size());
    }
    return out;
}

#define KUPFFER_SPARSE_FUNCTIONS(V)                                   \
    template SparseMatrix<V> transpose(const SparseMatrix<V>&); \
    template SparseMatrix<V> select_columns(const SparseMatrix<V>&, const std::vector<std::uint32_t>&);
KUPFFER_SPARSE_FUNCTIONS(std::uint32_t)
KUPFFER_SPARSE_FUNCTIONS(float)
KUPFFER_SPARSE_FUNCTIONS(double)
#undef KUPFFER_SPARSE_FUNCTIONS

CountMatrix count_matrix_from_triplets(std::uint32_t n_rows, std::uint32_t n_cols, std::vector<Triplet> triplets) {
    for (const auto& t : triplets)
        if (t.row >= n_rows || t.col >= n_cols)
            throw OptionError("matrix entry (" + std::to_string(t.row) + ", " + std::to_string(t.col) +
                              ") lies outside a " + std::to_string(n_rows) + " x " + std::to_string(n_cols) +
                              " matrix");
    std::sort(triplets.begin(), triplets.end(),
              [](const Triplet& a, const Triplet& b) { return a.col != b.col ? a.col < b.col : a.row < b.row; });
    CountMatrix m;
    m.n_rows = n_rows;
    m.n_cols = n_cols;
    m.col_offsets.assign(static_cast<std::size_t>(n_cols) + 1, 0);
    m.row_indices.reserve(triplets.size());
    m.values.reserve(triplets.size());
    for (std::size_t i = 0; i < triplets.size();) {
        const auto& t = triplets[i];
        std::uint64_t sum = 0;
        std::size_t j = i;
        for (; j < triplets.size() && triplets[j].col == t.col && triplets[j].row == t.row; ++j) sum += triplets[j].value;
        if (sum > 0) {
            m.row_indices.push_back(t.row);
            m.values.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(sum, UINT32_MAX)));
            ++m.col_offsets[t.col + 1];
        }
        i = j;
    }
    for (std::uint32_t c = 0; c < n_cols; ++c) m.col_offsets[c + 1] += m.col_offsets[c];
    return m;
}

}  // namespace kupffer
