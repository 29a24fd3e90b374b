#pragma once
// Arrays saved as a 64-bit count and their raw bytes (the index's binary file), read back in
// parallel pieces.
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string_view>
#include <vector>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/core/parallel.hpp"
#include "kupffer/core/read_at.hpp"

namespace kupffer::align {

template <class T, class A>
void write_array(AtomicFile& out, const std::vector<T, A>& v) {
    const std::uint64_t n = v.size();
    out.write(std::string_view(reinterpret_cast<const char*>(&n), sizeof n));
    out.write(std::string_view(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T)));
}

template <class T, class A>
void read_array(std::FILE* f, const std::filesystem::path& path, std::vector<T, A>& v, int threads) {
    std::uint64_t n = 0;
    if (std::fread(&n, sizeof n, 1, f) != 1) throw InputError(path.string(), 0, "truncated index file");
    const off_t start = ftello(f);
    if (start < 0) throw IoError(path.string(), "read", errno);
    struct stat st{};
    if (fstat(fileno(f), &st) != 0) throw IoError(path.string(), "read", errno);
    if (n > static_cast<std::uint64_t>(st.st_size - start) / sizeof(T)) throw InputError(path.string(), 0, "truncated index file");
    v.resize(n);
    // Large arrays are read in fixed pieces by several threads (pread at the FILE's position),
    // so faulting in and filling fresh pages, most of a load's time, is shared out.
    constexpr std::size_t kPiece = std::size_t{8} << 20;
    const std::size_t bytes = n * sizeof(T);
    char* into = reinterpret_cast<char*>(v.data());
    parallel_chunks(bytes, kPiece, bytes > kPiece ? threads : 1, [&](std::size_t, std::size_t begin, std::size_t end) {
        read_at(fileno(f), path, into + begin, end - begin, static_cast<std::uint64_t>(start) + begin, "truncated index file");
    });
    if (fseeko(f, start + static_cast<off_t>(bytes), SEEK_SET) != 0) throw IoError(path.string(), "read", errno);
}

}  // namespace kupffer::align
