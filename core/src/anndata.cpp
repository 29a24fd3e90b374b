#include "kupffer/core/anndata.hpp"

#include <map>
#include <optional>
#include <system_error>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/hdf5.hpp"

namespace kupffer {

namespace fs = std::filesystem;

Categorical Categorical::from_labels(const std::vector<std::string>& labels, const std::vector<std::string>& order) {
    Categorical c;
    std::map<std::string, std::int32_t> code;
    for (const auto& o : order) code.emplace(o, static_cast<std::int32_t>(c.categories.size())), c.categories.push_back(o);
    c.codes.reserve(labels.size());
    for (const auto& l : labels) {
        auto [it, added] = code.emplace(l, static_cast<std::int32_t>(c.categories.size()));
        if (added) c.categories.push_back(l);
        c.codes.push_back(it->second);
    }
    return c;
}

struct H5adWriter::State {
    fs::path path, tmp;
    std::optional<h5::File> file;
    std::optional<h5::Handle> layers, obsm, uns;
    std::map<std::string, bool> written;

    void encoding(hid_t object, const std::string& type, const std::string& version) {
        h5::write_string_attribute(*file, object, "encoding-type", type);
        h5::write_string_attribute(*file, object, "encoding-version", version);
    }
    h5::Handle dict(hid_t parent, const std::string& name) {
        auto g = h5::create_group(*file, parent, name);
        encoding(g.get(), "dict", "0.1.0");
        return g;
    }
    template <class Value>
    void sparse(hid_t parent, const std::string& name, const SparseMatrix<Value>& m) {
        auto g = h5::create_group(*file, parent, name);
        encoding(g.get(), "csr_matrix", "0.1.0");
        h5::write_int64_attribute(*file, g.get(), "shape", {m.n_cols, m.n_rows});
        h5::write_dataset(*file, g.get(), "data", std::vector<float>(m.values.begin(), m.values.end()));
        h5::write_dataset(*file, g.get(), "indices", std::vector<std::int32_t>(m.row_indices.begin(), m.row_indices.end()));
        h5::write_dataset(*file, g.get(), "indptr", std::vector<std::int64_t>(m.col_offsets.begin(), m.col_offsets.end()));
    }
    void dataset_encoding(hid_t parent, const std::string& name, const std::string& type) {
        h5::Handle d(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose);
        encoding(d.get(), type, "0.2.0");
    }
    void frame(const std::string& name, const DataFrame& df) {
        auto g = h5::create_group(*file, file->root(), name);
        encoding(g.get(), "dataframe", "0.2.0");
        h5::write_string_attribute(*file, g.get(), "_index", "_index");
        std::vector<std::string> order;
        for (const auto& c : df.columns) order.push_back(c.name);
        h5::write_strings_attribute(*file, g.get(), "column-order", order);
        h5::write_vlen_strings(*file, g.get(), "_index", df.index);
        dataset_encoding(g.get(), "_index", "string-array");
        for (const auto& c : df.columns) {
            if (auto* s = std::get_if<std::vector<std::string>>(&c.values)) {
                h5::write_vlen_strings(*file, g.get(), c.name, *s);
                dataset_encoding(g.get(), c.name, "string-array");
            } else if (auto* d = std::get_if<std::vector<double>>(&c.values)) {
                h5::write_dataset(*file, g.get(), c.name, *d);
                dataset_encoding(g.get(), c.name, "array");
            } else if (auto* i = std::get_if<std::vector<std::int64_t>>(&c.values)) {
                h5::write_dataset(*file, g.get(), c.name, *i);
                dataset_encoding(g.get(), c.name, "array");
            } else {
                const auto& cat = std::get<Categorical>(c.values);
                auto cg = h5::create_group(*file, g.get(), c.name);
                encoding(cg.get(), "categorical", "0.2.0");
                h5::write_bool_attribute(*file, cg.get(), "ordered", false);
                h5::write_vlen_strings(*file, cg.get(), "categories", cat.categories);
                dataset_encoding(cg.get(), "categories", "string-array");
                h5::write_dataset(*file, cg.get(), "codes", cat.codes);
                dataset_encoding(cg.get(), "codes", "array");
            }
        }
        written[name] = true;
    }
    hid_t group(std::optional<h5::Handle>& slot, const std::string& name) {
        if (!slot) slot = dict(file->root(), name), written[name] = true;
        return slot->get();
    }
};

H5adWriter::H5adWriter(fs::path path) : state_(std::make_unique<State>()) {
    state_->path = std::move(path);
    state_->tmp = state_->path.string() + ".tmp";
    state_->file.emplace(state_->tmp);
    state_->encoding(state_->file->root(), "anndata", "0.1.0");
}

H5adWriter::~H5adWriter() {
    if (state_ && state_->file) {  // not committed: leave nothing that looks complete
        state_->layers.reset(), state_->obsm.reset(), state_->uns.reset();
        state_->file.reset();
        std::error_code ec;
        fs::remove(state_->tmp, ec);
    }
}

template <class Value>
void H5adWriter::x(const SparseMatrix<Value>& m) {
    state_->sparse(state_->file->root(), "X", m);
    state_->written["X"] = true;
}
template <class Value>
void H5adWriter::layer(const std::string& name, const SparseMatrix<Value>& m) {
    state_->sparse(state_->group(state_->layers, "layers"), name, m);
}
template void H5adWriter::x(const SparseMatrix<std::uint32_t>&);
template void H5adWriter::x(const SparseMatrix<float>&);
template void H5adWriter::layer(const std::string&, const SparseMatrix<std::uint32_t>&);
template void H5adWriter::layer(const std::string&, const SparseMatrix<float>&);

void H5adWriter::obs(const DataFrame& frame) { state_->frame("obs", frame); }
void H5adWriter::var(const DataFrame& frame) { state_->frame("var", frame); }

void H5adWriter::obsm(const std::string& name, std::size_t rows, std::size_t cols, const std::vector<double>& values) {
    const hid_t g = state_->group(state_->obsm, "obsm");
    h5::write_matrix(*state_->file, g, name, rows, cols, values);
    state_->dataset_encoding(g, name, "array");
}

void H5adWriter::uns(const std::string& name, const std::string& value) {
    const hid_t g = state_->group(state_->uns, "uns");
    h5::write_scalar_string(*state_->file, g, name, value);
    state_->dataset_encoding(g, name, "string");
}

void H5adWriter::uns(const std::string& name, double value) {
    const hid_t g = state_->group(state_->uns, "uns");
    h5::write_scalar_double(*state_->file, g, name, value);
    state_->dataset_encoding(g, name, "numeric-scalar");
}

void H5adWriter::commit() {
    auto& s = *state_;
    if (!s.written.count("X") || !s.written.count("obs") || !s.written.count("var"))
        throw Error("h5ad " + s.path.string() + ": X, obs and var must be written before commit");
    for (const char* name : {"layers", "obsm", "varm", "obsp", "varp", "uns"})
        if (!s.written.count(name)) s.dict(s.file->root(), name);
    s.layers.reset(), s.obsm.reset(), s.uns.reset();
    s.file->close();
    s.file.reset();
    std::error_code ec;
    fs::rename(s.tmp, s.path, ec);
    if (ec) throw IoError(s.path.string(), "rename into place", ec.value());
}

}  // namespace kupffer
