#pragma once
// Cell Ranger's UB: for each cell barcode and gene, which UMI each UMI is a sequencing error of,
// under the directional rule `kupffer count` collapses molecules with (core/umi_clusters.hpp).
// Built from the final records as they stream out of map (canonical order); only UMIs that change
// are kept, so it stays small.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "kupffer/align/records.hpp"

namespace kupffer::align {

class UmiCorrections {
public:
    explicit UmiCorrections(std::uint32_t umi_length) : umi_length_(umi_length) {}
    /// The final records in canonical order, each with its class's genes (RecordSpool's observer).
    void add(const Record& record, const std::vector<std::uint32_t>& genes);
    /// After the last record.
    void finish();
    /// The corrected UMI of `umi` in (barcode, gene): its cluster's most abundant UMI, or itself.
    /// A UMI counts for a gene when its reads' classes meet in that gene alone, as in count.
    std::uint64_t corrected(std::uint64_t barcode, std::uint32_t gene, std::uint64_t umi) const;
    std::size_t changed() const noexcept { return changes_.size(); }

private:
    struct Key {
        std::uint64_t barcode, umi;
        std::uint32_t gene;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept {
            return std::hash<std::uint64_t>()(k.barcode * 0x9E3779B97F4A7C15ULL ^ k.umi) ^ (std::size_t{k.gene} << 1);
        }
    };
    struct Molecule {
        std::uint32_t gene;
        std::uint64_t umi;
        std::uint32_t reads;
    };
    void close_umi();
    void close_barcode();

    std::uint32_t umi_length_;
    std::uint64_t barcode_ = 0, umi_ = 0;
    bool open_ = false, umi_good_ = false;
    std::uint32_t reads_ = 0;
    std::vector<std::uint32_t> genes_, scratch_;
    std::vector<Molecule> molecules_;
    std::unordered_map<Key, std::uint64_t, KeyHash> changes_;
};

}  // namespace kupffer::align
