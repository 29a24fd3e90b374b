#pragma once
// Library chemistries described as data (as kallisto's -x technology strings): where the cell
// barcode, UMI and cDNA sit in which read, and which strand the cDNA read is of the transcript.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kupffer::align {

/// A stretch of one read. `length == 0` means "from offset to the end of the read".
struct ReadSegment {
    int read = 0;  ///< 0 = R1, 1 = R2
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    bool operator==(const ReadSegment&) const = default;
};

/// Orientation of the cDNA read relative to the transcript it came from.
enum class Strand { Sense, Antisense };

struct Chemistry {
    std::string name;         ///< preset name, e.g. "10xv3", or "custom"
    std::string description;  ///< human-readable, for reports
    ReadSegment barcode;
    ReadSegment umi;
    ReadSegment cdna;
    Strand strand = Strand::Sense;
    std::string whitelist;  ///< name of 10x's whitelist for this chemistry ("" if none)
    /// A second cDNA segment from the other end of the same fragment, on the other strand of
    /// `cdna` (10x 5' paired-end: R1 after barcode, UMI and the 13-base template switch oligo).
    /// The pair's genes are what both mates agree on.
    std::optional<ReadSegment> mate_cdna;

    /// Shortest length read `read` may have to hold every segment placed in it.
    std::uint32_t min_read_length(int read) const noexcept;
};

/// The built-in presets: 10xv2, 10xv3 (also v3.1), 10xv4, 10x5p (R2 only), 10x5pe (paired-end).
const std::vector<Chemistry>& chemistry_presets();

/// The preset of that name (case-insensitive; "10xv3.1" is an alias of "10xv3"). Throws
/// OptionError listing the known names otherwise.
const Chemistry& chemistry_preset(std::string_view name);

/// Parses a kallisto-style geometry "bc:umi:seq", each part "read,start,stop" (stop 0 = to the
/// end), e.g. "0,0,16:0,16,28:1,0,0" for 10x 3' v3. Throws OptionError on malformed input.
Chemistry parse_geometry(std::string_view spec, Strand strand = Strand::Sense);

}  // namespace kupffer::align
