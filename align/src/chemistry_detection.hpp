#pragma once
// Internal to align (map_sample's helpers): a sample's mates read across its lanes, read
// segments, whitelist lookup, and chemistry detection from the first reads.
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kupffer/align/barcodes.hpp"
#include "kupffer/align/map_sample.hpp"
#include "kupffer/core/fastq_reader.hpp"

namespace kupffer::align::internal {

/// One mate's records across all lanes of a sample, in order.
class MateStream {
public:
    MateStream(const SampleFastqs& sample, int mate) : sample_(&sample), mate_(mate) {
        for (const auto& lane : sample.lanes) {  // for fraction_read(); 0 if unknown
            std::error_code ec;
            const auto size = std::filesystem::file_size(mate == 0 ? lane.r1 : lane.r2, ec);
            sizes_.push_back(ec ? 0 : size);
            total_ += sizes_.back();
        }
        open(0);
    }
    /// Next record and the lane it came from; false after the last lane.
    bool next(FastqRecord& rec, std::size_t& lane) {
        for (;;) {
            if (reader_->next(rec)) {
                lane = lane_;
                return true;
            }
            if (lane_ + 1 >= sample_->lanes.size()) return false;
            open(lane_ + 1);
        }
    }
    const FastqReader& reader() const { return *reader_; }
    /// Share of this mate's bytes over all lanes read so far, in [0, 1] (progress and its ETA).
    double fraction_read() const {
        std::uint64_t done = std::min(sizes_[lane_], reader_->file_position());
        for (std::size_t l = 0; l < lane_; ++l) done += sizes_[l];
        return total_ ? static_cast<double>(done) / static_cast<double>(total_) : 0;
    }

private:
    void open(std::size_t lane) {
        lane_ = lane;
        reader_ = std::make_unique<FastqReader>(mate_ == 0 ? sample_->lanes[lane].r1 : sample_->lanes[lane].r2);
    }
    const SampleFastqs* sample_;
    int mate_;
    std::size_t lane_ = 0;
    std::unique_ptr<FastqReader> reader_;
    std::vector<std::uint64_t> sizes_;  // of this mate's file in each lane, read once
    std::uint64_t total_ = 0;
};

/// The part of a read a segment covers (empty if the read is shorter than its offset).
inline std::string_view segment(std::string_view read, const ReadSegment& s) {
    if (s.offset >= read.size()) return {};
    return read.substr(s.offset, s.length == 0 ? std::string_view::npos : s.length);
}

/// Whitelist for a chemistry: the given file, or the file named after its whitelist in a folder.
inline std::optional<std::filesystem::path> whitelist_for(const std::filesystem::path& given, const Chemistry& chem) {
    if (given.empty()) return std::nullopt;
    if (!std::filesystem::is_directory(given)) return given;
    for (const char* ext : {".txt", ".txt.gz"})
        if (std::filesystem::exists(given / (chem.whitelist + ext))) return given / (chem.whitelist + ext);
    return std::nullopt;
}

struct Detection {
    const Chemistry* chemistry = nullptr;
    std::string reason;
    std::vector<ChemistryCandidate> candidates;
};


/// Chooses the preset whose geometry, whitelist and strand fit the sample's first reads
/// (MapSampleOptions::detection_reads); InputError listing every candidate if none does.
/// Whitelists loaded on the way are kept in `whitelists` for the main pass.
Detection detect_chemistry(const SampleFastqs& sample, const Index& index, const MapSampleOptions& options,
                           WhitelistCache& whitelists);

}  // namespace kupffer::align::internal
