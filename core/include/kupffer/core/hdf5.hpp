#pragma once
// RAII around the HDF5 C API and the few writes kupffer's formats need (10x HDF5, AnnData .h5ad):
// groups, numeric datasets, string datasets (fixed or variable length) and string attributes.
// Every failure becomes an IoError naming the file and the object.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <hdf5.h>

namespace kupffer::h5 {

/// An owned hid_t closed with the right H5*close.
class Handle {
public:
    Handle() = default;
    Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
    Handle& operator=(Handle&& o) noexcept {
        std::swap(id_, o.id_);
        std::swap(close_, o.close_);
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() {
        if (id_ >= 0 && close_) close_(id_);
    }
    hid_t get() const noexcept { return id_; }

private:
    hid_t id_ = -1;
    herr_t (*close_)(hid_t) = nullptr;
};

/// A new HDF5 file (truncating), for writing; use with AtomicFile-style naming by the caller.
class File {
public:
    explicit File(const std::filesystem::path& path);
    hid_t root() const noexcept { return file_.get(); }
    const std::filesystem::path& path() const noexcept { return path_; }
    void close();

private:
    std::filesystem::path path_;
    Handle file_;
};

Handle create_group(const File& file, hid_t parent, const std::string& name);

template <class T>
void write_dataset(const File& file, hid_t parent, const std::string& name, const std::vector<T>& values);

/// A 2-D dataset, rows x cols, from row-major values.
void write_matrix(const File& file, hid_t parent, const std::string& name, std::size_t rows, std::size_t cols,
                  const std::vector<double>& row_major);
/// Scalar datasets (AnnData's "string" and "numeric-scalar" elements).
void write_scalar_string(const File& file, hid_t parent, const std::string& name, const std::string& value);
void write_scalar_double(const File& file, hid_t parent, const std::string& name, double value);
/// A scalar boolean attribute as h5py writes one (AnnData's "ordered").
void write_bool_attribute(const File& file, hid_t object, const std::string& name, bool value);

/// Fixed-length, null-padded byte strings (as Cell Ranger's HDF5 writes them).
void write_fixed_strings(const File& file, hid_t parent, const std::string& name, const std::vector<std::string>& values);
/// Variable-length UTF-8 strings (as h5py/anndata write them).
void write_vlen_strings(const File& file, hid_t parent, const std::string& name, const std::vector<std::string>& values);
/// A scalar variable-length UTF-8 string attribute.
void write_string_attribute(const File& file, hid_t object, const std::string& name, const std::string& value);
/// A 1-D array attribute of variable-length UTF-8 strings (may be empty).
void write_strings_attribute(const File& file, hid_t object, const std::string& name, const std::vector<std::string>& values);
/// A 1-D int64 array attribute.
void write_int64_attribute(const File& file, hid_t object, const std::string& name, const std::vector<std::int64_t>& values);

}  // namespace kupffer::h5
