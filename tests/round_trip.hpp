#pragma once
// Saving and loading the index's binary parts in tests: what save(AtomicFile&) writes,
// T::load(FILE*, path, threads) on a file of the test's folder, and damaged files refused.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"
#include "test_dir.hpp"

namespace kupffer::test {

/// The bytes `object.save()` writes, through the committed file `name` in `dir`.
template <class T>
std::string saved(const T& object, const TempDir& dir, const std::string& name) {
    AtomicFile out(dir / name);
    object.save(out);
    out.commit();
    std::ifstream in(dir / name, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

/// T::load of the file `name` in `dir`, read from its start.
template <class T>
T loaded(const TempDir& dir, const std::string& name, int threads) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen((dir / name).c_str(), "rb"), &std::fclose);
    return T::load(f.get(), dir / name, threads);
}

/// Writes `bytes` as the file `name` and expects T::load to refuse it with an InputError naming it.
template <class T>
void expect_refused(const TempDir& dir, const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    try {
        loaded<T>(dir, name, 2);
        ADD_FAILURE() << "loaded the damaged file " << name;
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
}

}  // namespace kupffer::test
