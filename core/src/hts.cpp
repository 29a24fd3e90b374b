#include "kupffer/core/hts.hpp"

#include <cerrno>
#include <new>

#include "kupffer/core/errors.hpp"

namespace kupffer {

HtsFilePtr open_hts(const std::filesystem::path& path, const char* mode) {
    if (mode[0] == 'r' && !std::filesystem::exists(path)) throw IoError(path.string(), "open", ENOENT);
    HtsFilePtr file(hts_open(path.c_str(), mode));
    if (!file) throw IoError(path.string(), "open", errno ? errno : EIO);
    return file;
}

BamRecordPtr make_bam_record() {
    BamRecordPtr record(bam_init1());
    if (!record) throw std::bad_alloc();
    return record;
}

}  // namespace kupffer
