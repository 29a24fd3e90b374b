#pragma once
// RAII around HTSlib handles; HTSlib result codes become exceptions naming the file and record.
// (FASTQ input: fastq_reader.hpp.)
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <htslib/hts.h>
#include <htslib/sam.h>

namespace kupffer {

namespace internal {
struct HtsFileCloser {
    void operator()(htsFile* f) const noexcept { hts_close(f); }
};
struct BamHeaderDeleter {
    void operator()(sam_hdr_t* h) const noexcept { sam_hdr_destroy(h); }
};
struct BamRecordDeleter {
    void operator()(bam1_t* b) const noexcept { bam_destroy1(b); }
};
}  // namespace internal

using HtsFilePtr = std::unique_ptr<htsFile, internal::HtsFileCloser>;
using BamHeaderPtr = std::unique_ptr<sam_hdr_t, internal::BamHeaderDeleter>;
using BamRecordPtr = std::unique_ptr<bam1_t, internal::BamRecordDeleter>;

/// Opens a file through HTSlib; throws IoError if it cannot.
HtsFilePtr open_hts(const std::filesystem::path& path, const char* mode);
/// Allocates an empty record; throws std::bad_alloc on failure.
BamRecordPtr make_bam_record();

}  // namespace kupffer
