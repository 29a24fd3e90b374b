#include "kupffer/core/read_at.hpp"

#include <unistd.h>

#include <cerrno>

#include "kupffer/core/errors.hpp"

namespace kupffer {

void read_at(int fd, const std::filesystem::path& path, void* into, std::size_t bytes, std::uint64_t offset,
             const std::string& ended_early) {
    auto* out = static_cast<char*>(into);
    for (std::size_t at = 0; at < bytes;) {
        const ssize_t got = pread(fd, out + at, bytes - at, static_cast<off_t>(offset + at));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw IoError(path.string(), "read", errno);
        if (got == 0) throw InputError(path.string(), 0, ended_early);
        at += static_cast<std::size_t>(got);
    }
}

}  // namespace kupffer
