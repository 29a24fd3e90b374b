#pragma once
// Finds samples and lanes in a sequencer output folder as bcl2fastq, BCL Convert and
// `cellranger mkfastq` lay them out: <sample>_S<n>[_L<lane>]_<R1|R2|I1|I2>_001.fastq[.gz], flat or
// one folder per sample (any depth).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace kupffer::align {

/// The files of one lane of one sample.
struct LaneFiles {
    std::uint32_t lane = 0;  ///< 0 when the names carry no lane (BCL Convert --no-lane-splitting)
    std::filesystem::path r1, r2, i1, i2;  ///< i1/i2 empty when absent
};

struct SampleFastqs {
    std::string name;
    std::uint32_t number = 0;       ///< the S<n> of the names
    std::vector<LaneFiles> lanes;  ///< ascending lane
};

/// Parsed parts of a bcl2fastq-style FASTQ name; `valid` false for other names.
struct FastqName {
    bool valid = false;
    std::string sample;
    std::uint32_t number = 0;
    std::uint32_t lane = 0;
    std::string read;  ///< R1, R2, I1 or I2
};
FastqName parse_fastq_name(const std::string& filename);

/// Every sample under `folder`, sorted by name; with a non-empty `only`, just those samples
/// (OptionError naming any not found). Throws InputError for a lane missing R1 or R2, or a
/// file name found twice; OptionError if no FASTQ is found.
std::vector<SampleFastqs> discover_fastqs(const std::filesystem::path& folder, const std::vector<std::string>& only = {});

/// A sample from explicit lists of R1 and R2 files (same length, paired in order).
SampleFastqs sample_from_files(const std::string& name, const std::vector<std::filesystem::path>& r1,
                               const std::vector<std::filesystem::path>& r2);

}  // namespace kupffer::align
