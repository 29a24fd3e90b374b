#pragma once
// RAII around HTSlib handles; HTSlib result codes become exceptions naming the file and record.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <htslib/sam.h>

#include "kupffer/core/decompressed_input.hpp"

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
struct BgzfCloser {
    void operator()(BGZF* f) const noexcept { bgzf_close(f); }
};
struct KseqState;
struct KseqDeleter {
    void operator()(KseqState* s) const noexcept;
};
}  // namespace internal

using HtsFilePtr = std::unique_ptr<htsFile, internal::HtsFileCloser>;
using BamHeaderPtr = std::unique_ptr<sam_hdr_t, internal::BamHeaderDeleter>;
using BamRecordPtr = std::unique_ptr<bam1_t, internal::BamRecordDeleter>;
using BgzfPtr = std::unique_ptr<BGZF, internal::BgzfCloser>;

/// Opens a file through HTSlib; throws IoError if it cannot.
HtsFilePtr open_hts(const std::filesystem::path& path, const char* mode);
/// Allocates an empty record; throws std::bad_alloc on failure.
BamRecordPtr make_bam_record();

/// One FASTQ record; views stay valid until the next call to FastqReader::next.
struct FastqRecord {
    std::string_view name;
    std::string_view sequence;
    std::string_view quality;  ///< Phred+33 text
};

/// Sequential FASTQ reader: plain, gzip or BGZF bytes (DecompressedInput) parsed by HTSlib's kseq.
/// Distinguishes end of file from truncated or malformed input (bad bases, quality of the wrong
/// length, FASTA records, corrupt gzip), which raises InputError with the file and record number.
/// Read names lose their comment and any /1 or /2 suffix.
class FastqReader {
public:
    explicit FastqReader(std::filesystem::path path);
    ~FastqReader();
    FastqReader(const FastqReader&) = delete;
    FastqReader& operator=(const FastqReader&) = delete;
    /// Reads the next record into `record`; false at end of file.
    bool next(FastqRecord& record);
    /// 1-based number of the record last returned.
    std::uint64_t record_number() const noexcept { return records_; }
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
    std::unique_ptr<DecompressedInput> input_;
    std::unique_ptr<internal::KseqState, internal::KseqDeleter> seq_;
    std::uint64_t records_ = 0;
};

}  // namespace kupffer
