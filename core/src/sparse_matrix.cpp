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
