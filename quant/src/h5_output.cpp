#include "kupffer/quant/h5_output.hpp"

#include <cstdint>
#include <system_error>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/hdf5.hpp"

namespace kupffer::quant {

namespace fs = std::filesystem;

namespace {

void commit(h5::File& file, const fs::path& tmp, const fs::path& path) {
    file.close();
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) throw IoError(path.string(), "rename into place", ec.value());
}

/// The CSC arrays of a genes x cells matrix are the CSR arrays of its cells x genes transpose.
void write_sparse_group(const h5::File& f, hid_t parent, const std::string& name, const CountMatrix& m) {
    auto g = h5::create_group(f, parent, name);
    h5::write_string_attribute(f, g.get(), "encoding-type", "csr_matrix");
    h5::write_string_attribute(f, g.get(), "encoding-version", "0.1.0");
    h5::write_int64_attribute(f, g.get(), "shape", {m.n_cols, m.n_rows});
    std::vector<float> data(m.values.begin(), m.values.end());
    std::vector<std::int32_t> indices(m.row_indices.begin(), m.row_indices.end());
    std::vector<std::int64_t> indptr(m.col_offsets.begin(), m.col_offsets.end());
    h5::write_dataset(f, g.get(), "data", data);
    h5::write_dataset(f, g.get(), "indices", indices);
    h5::write_dataset(f, g.get(), "indptr", indptr);
}

void write_dataframe(const h5::File& f, hid_t parent, const std::string& name, const std::vector<std::string>& index,
                     const std::vector<std::pair<std::string, const std::vector<std::string>*>>& columns) {
    auto g = h5::create_group(f, parent, name);
    h5::write_string_attribute(f, g.get(), "encoding-type", "dataframe");
    h5::write_string_attribute(f, g.get(), "encoding-version", "0.2.0");
    h5::write_string_attribute(f, g.get(), "_index", "_index");
    std::vector<std::string> order;
    for (const auto& [col, _] : columns) order.push_back(col);
    h5::write_strings_attribute(f, g.get(), "column-order", order);
    auto put = [&](const std::string& col, const std::vector<std::string>& values) {
        h5::write_vlen_strings(f, g.get(), col, values);
        h5::Handle d(H5Dopen2(g.get(), col.c_str(), H5P_DEFAULT), H5Dclose);
        h5::write_string_attribute(f, d.get(), "encoding-type", "string-array");
        h5::write_string_attribute(f, d.get(), "encoding-version", "0.2.0");
    };
    put("_index", index);
    for (const auto& [col, values] : columns) put(col, *values);
}

void empty_dict(const h5::File& f, const std::string& name) {
    auto g = h5::create_group(f, f.root(), name);
    h5::write_string_attribute(f, g.get(), "encoding-type", "dict");
    h5::write_string_attribute(f, g.get(), "encoding-version", "0.1.0");
}

}  // namespace

void write_10x_h5(const fs::path& path, const CountMatrix& m, const MatrixLabels& labels) {
    const fs::path tmp = path.string() + ".tmp";
    h5::File f(tmp);
    h5::write_string_attribute(f, f.root(), "filetype", "matrix");
    h5::write_int64_attribute(f, f.root(), "version", {2});
    auto matrix = h5::create_group(f, f.root(), "matrix");
    h5::write_fixed_strings(f, matrix.get(), "barcodes", labels.barcodes);
    std::vector<std::int32_t> data(m.values.begin(), m.values.end());
    std::vector<std::int64_t> indices(m.row_indices.begin(), m.row_indices.end());
    std::vector<std::int64_t> indptr(m.col_offsets.begin(), m.col_offsets.end());
    h5::write_dataset(f, matrix.get(), "data", data);
    h5::write_dataset(f, matrix.get(), "indices", indices);
    h5::write_dataset(f, matrix.get(), "indptr", indptr);
    h5::write_dataset(f, matrix.get(), "shape", std::vector<std::int32_t>{static_cast<std::int32_t>(m.n_rows), static_cast<std::int32_t>(m.n_cols)});
    auto features = h5::create_group(f, matrix.get(), "features");
    h5::write_fixed_strings(f, features.get(), "_all_tag_keys", {"genome"});
    h5::write_fixed_strings(f, features.get(), "feature_type", std::vector<std::string>(m.n_rows, "Gene Expression"));
    h5::write_fixed_strings(f, features.get(), "genome", std::vector<std::string>(m.n_rows, labels.genome));
    h5::write_fixed_strings(f, features.get(), "id", labels.gene_ids);
    h5::write_fixed_strings(f, features.get(), "name", labels.gene_names);
    matrix = h5::Handle();
    features = h5::Handle();
    commit(f, tmp, path);
}

void write_h5ad(const fs::path& path, const CountMatrix& m, const MatrixLabels& labels,
                const std::vector<std::pair<std::string, const CountMatrix*>>& layers) {
    const fs::path tmp = path.string() + ".tmp";
    h5::File f(tmp);
    h5::write_string_attribute(f, f.root(), "encoding-type", "anndata");
    h5::write_string_attribute(f, f.root(), "encoding-version", "0.1.0");
    write_sparse_group(f, f.root(), "X", m);
    write_dataframe(f, f.root(), "obs", labels.barcodes, {});
    const std::vector<std::string> types(m.n_rows, "Gene Expression");
    write_dataframe(f, f.root(), "var", labels.gene_names, {{"gene_ids", &labels.gene_ids}, {"feature_types", &types}});
    {
        auto g = h5::create_group(f, f.root(), "layers");
        h5::write_string_attribute(f, g.get(), "encoding-type", "dict");
        h5::write_string_attribute(f, g.get(), "encoding-version", "0.1.0");
        for (const auto& [name, layer] : layers) write_sparse_group(f, g.get(), name, *layer);
    }
    for (const char* name : {"obsm", "varm", "obsp", "varp", "uns"}) empty_dict(f, name);
    commit(f, tmp, path);
}

}  // namespace kupffer::quant
