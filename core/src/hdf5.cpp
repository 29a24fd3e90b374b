#include "kupffer/core/hdf5.hpp"

#include <algorithm>
#include <cerrno>
#include <type_traits>

#include "kupffer/core/errors.hpp"

namespace kupffer::h5 {

namespace {
[[noreturn]] void fail(const File& file, const std::string& what) {
    // HDF5 reports no cause, but the failed write(2) below it left one in errno (a full disk, a
    // file size limit, a quota); anything else is reported as an I/O error.
    const int cause = errno;
    const bool known = cause == ENOSPC || cause == EDQUOT || cause == EFBIG || cause == EROFS || cause == EACCES;
    throw IoError(file.path().string(), "write HDF5 " + what, known ? cause : EIO);
}
hid_t check(hid_t id, const File& file, const std::string& what) {
    if (id < 0) fail(file, what);
    return id;
}
template <class T>
hid_t native_type() {
    if constexpr (std::is_same_v<T, std::int32_t>) return H5T_NATIVE_INT32;
    else if constexpr (std::is_same_v<T, std::uint32_t>) return H5T_NATIVE_UINT32;
    else if constexpr (std::is_same_v<T, std::int64_t>) return H5T_NATIVE_INT64;
    else if constexpr (std::is_same_v<T, std::uint64_t>) return H5T_NATIVE_UINT64;
    else if constexpr (std::is_same_v<T, float>) return H5T_NATIVE_FLOAT;
    else return H5T_NATIVE_DOUBLE;
}
Handle vlen_string_type(const File& file) {
    Handle type(check(H5Tcopy(H5T_C_S1), file, "string type"), H5Tclose);
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    return type;
}
/// A creation property list without object timestamps: HDF5 stamps every group and dataset with
/// the time by default, so two runs on the same input would write different bytes.
Handle untimed(const File& file, hid_t cls) {
    Handle plist(check(H5Pcreate(cls), file, "property list"), H5Pclose);
    if (H5Pset_obj_track_times(plist.get(), false) < 0) fail(file, "property list");
    return plist;
}
std::vector<const char*> pointers(const std::vector<std::string>& values) {
    std::vector<const char*> p;
    for (const auto& v : values) p.push_back(v.c_str());
    return p;
}
}  // namespace

/// Before HDF5's first use: errors are reported as exceptions instead of printed, and HDF5 does not
/// close files itself at exit. (After a failed write, a full disk say, HDF5 1.10's exit handler
/// crashed closing the file it could not flush: the error was printed, then a segfault.) Every
/// file is closed explicitly by its handle.
namespace {
void prepare_library() {
    static const bool prepared = [] {
        H5dont_atexit();
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        return true;
    }();
    (void)prepared;
}
}  // namespace

File::File(const std::filesystem::path& path) : path_(path) {
    prepare_library();
    const hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);  // the root group without a timestamp too
    if (fcpl >= 0) H5Pset_obj_track_times(fcpl, false);
    const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl >= 0 ? fcpl : H5P_DEFAULT, H5P_DEFAULT);
    if (fcpl >= 0) H5Pclose(fcpl);
    if (id < 0) throw IoError(path.string(), "create HDF5 file", errno ? errno : EIO);
    file_ = Handle(id, H5Fclose);
}

void File::close() {
    if (file_.get() >= 0 && H5Fflush(file_.get(), H5F_SCOPE_GLOBAL) < 0) fail(*this, "flush");
    file_ = Handle();
}

Handle create_group(const File& file, hid_t parent, const std::string& name) {
    return Handle(check(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, untimed(file, H5P_GROUP_CREATE).get(), H5P_DEFAULT), file, "group " + name), H5Gclose);
}

template <class T>
void write_dataset(const File& file, hid_t parent, const std::string& name, const std::vector<T>& values) {
    const hsize_t dims[1] = {values.size()};
    Handle space(check(H5Screate_simple(1, dims, nullptr), file, name), H5Sclose);
    Handle plist = untimed(file, H5P_DATASET_CREATE);
    if (!values.empty()) {
        const hsize_t chunk[1] = {std::min<hsize_t>(values.size(), 1 << 16)};
        H5Pset_chunk(plist.get(), 1, chunk);
        H5Pset_deflate(plist.get(), 4);
    }
    Handle set(check(H5Dcreate2(parent, name.c_str(), native_type<T>(), space.get(), H5P_DEFAULT, plist.get(), H5P_DEFAULT), file, name),
               H5Dclose);
    if (!values.empty() && H5Dwrite(set.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) fail(file, name);
}

template void write_dataset(const File&, hid_t, const std::string&, const std::vector<std::int32_t>&);
template void write_dataset(const File&, hid_t, const std::string&, const std::vector<std::uint32_t>&);
template void write_dataset(const File&, hid_t, const std::string&, const std::vector<std::int64_t>&);
template void write_dataset(const File&, hid_t, const std::string&, const std::vector<std::uint64_t>&);
template void write_dataset(const File&, hid_t, const std::string&, const std::vector<float>&);
template void write_dataset(const File&, hid_t, const std::string&, const std::vector<double>&);

void write_matrix(const File& file, hid_t parent, const std::string& name, std::size_t rows, std::size_t cols,
                  const std::vector<double>& values) {
    if (values.size() != rows * cols) fail(file, name + " (shape does not match the values)");
    const hsize_t dims[2] = {rows, cols};
    Handle space(check(H5Screate_simple(2, dims, nullptr), file, name), H5Sclose);
    Handle set(check(H5Dcreate2(parent, name.c_str(), H5T_NATIVE_DOUBLE, space.get(), H5P_DEFAULT, untimed(file, H5P_DATASET_CREATE).get(), H5P_DEFAULT), file, name),
               H5Dclose);
    if (!values.empty() && H5Dwrite(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) fail(file, name);
}

void write_scalar_string(const File& file, hid_t parent, const std::string& name, const std::string& value) {
    auto type = vlen_string_type(file);
    Handle space(check(H5Screate(H5S_SCALAR), file, name), H5Sclose);
    Handle set(check(H5Dcreate2(parent, name.c_str(), type.get(), space.get(), H5P_DEFAULT, untimed(file, H5P_DATASET_CREATE).get(), H5P_DEFAULT), file, name), H5Dclose);
    const char* p = value.c_str();
    if (H5Dwrite(set.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &p) < 0) fail(file, name);
}

void write_scalar_double(const File& file, hid_t parent, const std::string& name, double value) {
    Handle space(check(H5Screate(H5S_SCALAR), file, name), H5Sclose);
    Handle set(check(H5Dcreate2(parent, name.c_str(), H5T_NATIVE_DOUBLE, space.get(), H5P_DEFAULT, untimed(file, H5P_DATASET_CREATE).get(), H5P_DEFAULT), file, name),
               H5Dclose);
    if (H5Dwrite(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value) < 0) fail(file, name);
}

void write_bool_attribute(const File& file, hid_t object, const std::string& name, bool value) {
    // h5py's (and so anndata's) boolean: an int8 enum with members FALSE = 0 and TRUE = 1.
    Handle type(check(H5Tenum_create(H5T_NATIVE_INT8), file, "bool type"), H5Tclose);
    const std::int8_t no = 0, yes = 1;
    H5Tenum_insert(type.get(), "FALSE", &no);
    H5Tenum_insert(type.get(), "TRUE", &yes);
    Handle space(check(H5Screate(H5S_SCALAR), file, name), H5Sclose);
    Handle attr(check(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), file, "attribute " + name),
                H5Aclose);
    const std::int8_t v = value ? 1 : 0;
    if (H5Awrite(attr.get(), type.get(), &v) < 0) fail(file, "attribute " + name);
}

void write_fixed_strings(const File& file, hid_t parent, const std::string& name, const std::vector<std::string>& values) {
    std::size_t width = 1;
    for (const auto& v : values) width = std::max(width, v.size());
    std::string buffer(values.size() * width, '\0');
    for (std::size_t i = 0; i < values.size(); ++i) buffer.replace(i * width, values[i].size(), values[i]);
    Handle type(check(H5Tcopy(H5T_C_S1), file, name), H5Tclose);
    H5Tset_size(type.get(), width);
    H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
    const hsize_t dims[1] = {values.size()};
    Handle space(check(H5Screate_simple(1, dims, nullptr), file, name), H5Sclose);
    Handle set(check(H5Dcreate2(parent, name.c_str(), type.get(), space.get(), H5P_DEFAULT, untimed(file, H5P_DATASET_CREATE).get(), H5P_DEFAULT), file, name), H5Dclose);
    if (!values.empty() && H5Dwrite(set.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0) fail(file, name);
}

void write_vlen_strings(const File& file, hid_t parent, const std::string& name, const std::vector<std::string>& values) {
    auto type = vlen_string_type(file);
    const hsize_t dims[1] = {values.size()};
    Handle space(check(H5Screate_simple(1, dims, nullptr), file, name), H5Sclose);
    Handle set(check(H5Dcreate2(parent, name.c_str(), type.get(), space.get(), H5P_DEFAULT, untimed(file, H5P_DATASET_CREATE).get(), H5P_DEFAULT), file, name), H5Dclose);
    auto p = pointers(values);
    if (!values.empty() && H5Dwrite(set.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()) < 0) fail(file, name);
}

void write_string_attribute(const File& file, hid_t object, const std::string& name, const std::string& value) {
    auto type = vlen_string_type(file);
    Handle space(check(H5Screate(H5S_SCALAR), file, name), H5Sclose);
    Handle attr(check(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), file, "attribute " + name), H5Aclose);
    const char* p = value.c_str();
    if (H5Awrite(attr.get(), type.get(), &p) < 0) fail(file, "attribute " + name);
}

void write_strings_attribute(const File& file, hid_t object, const std::string& name, const std::vector<std::string>& values) {
    auto type = vlen_string_type(file);
    const hsize_t dims[1] = {values.size()};
    Handle space(check(H5Screate_simple(1, dims, nullptr), file, name), H5Sclose);
    Handle attr(check(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), file, "attribute " + name), H5Aclose);
    auto p = pointers(values);
    if (!values.empty() && H5Awrite(attr.get(), type.get(), p.data()) < 0) fail(file, "attribute " + name);
}

void write_int64_attribute(const File& file, hid_t object, const std::string& name, const std::vector<std::int64_t>& values) {
    const hsize_t dims[1] = {values.size()};
    Handle space(check(H5Screate_simple(1, dims, nullptr), file, name), H5Sclose);
    Handle attr(check(H5Acreate2(object, name.c_str(), H5T_NATIVE_INT64, space.get(), H5P_DEFAULT, H5P_DEFAULT), file, "attribute " + name),
                H5Aclose);
    if (H5Awrite(attr.get(), H5T_NATIVE_INT64, values.data()) < 0) fail(file, "attribute " + name);
}

}  // namespace kupffer::h5
