#include "kupffer/quant/h5_output.hpp"

#include <cstdint>
#include <system_error>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/anndata.hpp"
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
    H5adWriter writer(path);
    writer.x(m);
    writer.obs({labels.barcodes, {}});
    writer.var({labels.gene_names,
                {{"gene_ids", labels.gene_ids}, {"feature_types", std::vector<std::string>(m.n_rows, "Gene Expression")}}});
    for (const auto& [name, layer] : layers) writer.layer(name, *layer);
    writer.commit();
}

}  // namespace kupffer::quant
