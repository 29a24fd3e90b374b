#pragma once
// AnnData's on-disk format (.h5ad, anndata >= 0.8 encodings), written directly through HDF5 so
// anndata.read_h5ad / scanpy and Seurat's converters load it as it is: X and layers as CSR
// (cells x genes), obs/var data frames with string, numeric and categorical columns, obsm as
// dense arrays, uns as a dict of scalars. Written under a temporary name and renamed on commit().
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer {

/// A pandas Categorical: codes index categories (-1 = missing).
struct Categorical {
    std::vector<std::string> categories;
    std::vector<std::int32_t> codes;
    /// From labels, categories in the given order (or first appearance when `order` is empty).
    static Categorical from_labels(const std::vector<std::string>& labels, const std::vector<std::string>& order = {});
};

struct DataFrameColumn {
    std::string name;
    std::variant<std::vector<std::string>, std::vector<double>, std::vector<std::int64_t>, Categorical> values;
};

struct DataFrame {
    std::vector<std::string> index;
    std::vector<DataFrameColumn> columns;
};

class H5adWriter {
public:
    explicit H5adWriter(std::filesystem::path path);
    ~H5adWriter();
    H5adWriter(const H5adWriter&) = delete;
    H5adWriter& operator=(const H5adWriter&) = delete;

    /// `genes_by_cells` is kupffer's CSC orientation; it is stored as the CSR cells x genes matrix.
    template <class Value>
    void x(const SparseMatrix<Value>& genes_by_cells);
    template <class Value>
    void layer(const std::string& name, const SparseMatrix<Value>& genes_by_cells);
    void obs(const DataFrame& frame);
    void var(const DataFrame& frame);
    /// rows = cells, row-major values.
    void obsm(const std::string& name, std::size_t rows, std::size_t cols, const std::vector<double>& row_major);
    void uns(const std::string& name, const std::string& value);
    void uns(const std::string& name, double value);
    /// Writes the groups not yet written (empty), closes and renames into place.
    void commit();

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace kupffer
