#pragma once
// Reading an exact byte range of an open file at an offset (pread): safe from several threads on
// one descriptor, so large arrays and record runs can be read in pieces in parallel.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace kupffer {

/// Reads `bytes` bytes at `offset` of descriptor `fd` (the file `path`) into `into`, retrying short
/// reads. IoError on a read error; InputError(path, 0, `ended_early`) if the file ends first.
void read_at(int fd, const std::filesystem::path& path, void* into, std::size_t bytes, std::uint64_t offset,
             const std::string& ended_early);

}  // namespace kupffer
