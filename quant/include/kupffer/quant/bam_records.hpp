#pragma once
// Records from an existing aligned BAM (Cell Ranger's or STARsolo's), so users with alignments
// get the same count outputs: CB = corrected barcode, UB = corrected UMI, GX (GN) = the gene(s)
// the read was assigned to (';'-separated if several), RE = region (E exonic -> spliced, N intronic -> unspliced, as Cell Ranger; none -> ambiguous).
// Only primary alignments with NH <= 1 (where present) and all three tags are used.
#include <cstdint>
#include <filesystem>

#include "kupffer/align/records.hpp"

namespace kupffer::quant {

struct BamRecordStats {
    std::uint64_t alignments = 0;  ///< records read
    std::uint64_t used = 0;        ///< became records
    std::uint64_t secondary = 0, multimapped = 0, missing_tags = 0;
};

/// Throws InputError naming the file if it is not a BAM/SAM, if no record carries CB, UB and GX
/// (not a Cell Ranger/STARsolo BAM, or tags not requested), or on a corrupt record.
align::RecordFile records_from_bam(const std::filesystem::path& bam, BamRecordStats* stats = nullptr);

}  // namespace kupffer::quant
