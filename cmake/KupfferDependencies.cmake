# Every dependency comes from a Debian package (scripts/install-deps.sh); nothing is vendored.
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTSLIB REQUIRED IMPORTED_TARGET htslib)
pkg_check_modules(LIBDEFLATE REQUIRED IMPORTED_TARGET libdeflate)
# ISA-L's igzip inflates streamed gzip FASTQ about 4x faster than zlib (libdeflate needs whole members).
pkg_check_modules(LIBISAL REQUIRED IMPORTED_TARGET libisal)
pkg_check_modules(HDF5 REQUIRED IMPORTED_TARGET hdf5)
# igraph through pkg-config: its CMake config wants arpack, glpk and plfit development packages.
pkg_check_modules(IGRAPH REQUIRED IMPORTED_TARGET igraph)
find_package(ZLIB REQUIRED)
find_package(TBB REQUIRED)
find_package(Eigen3 REQUIRED NO_MODULE)
find_package(nlohmann_json REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Boost 1.74 REQUIRED)  # header-only: special functions and distributions (boost::math)
# hnswlib (libhnswlib-dev) is header-only and ships no CMake or pkg-config file.
find_path(HNSWLIB_INCLUDE_DIR hnswlib/hnswlib.h REQUIRED)
add_library(hnswlib::hnswlib INTERFACE IMPORTED)
target_include_directories(hnswlib::hnswlib SYSTEM INTERFACE ${HNSWLIB_INCLUDE_DIR})
# The workflow descriptor (pipeline/) is YAML.
find_package(yaml-cpp REQUIRED)
