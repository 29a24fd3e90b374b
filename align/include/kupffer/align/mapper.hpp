#pragma once
// Maps a cDNA read to the genes it is compatible with. Every k-mer of the read is looked up; each
// hit votes for (target, diagonal = target position - read position). A target's score is its
// largest cluster of hits on nearly the same diagonal (so k-mers must agree on position and
// strand, not merely share a gene). The genes of the best-scoring targets form the read's
// equivalence class; whether those targets are transcripts, introns or both gives its splice
// status. One Mapper per thread: it owns reusable scratch and allocates nothing per read once warm.
#include <cstdint>
#include <string_view>
#include <vector>

#include "kupffer/align/index.hpp"

namespace kupffer::align {

struct MapOptions {
    /// Look up every stride-th k-mer of a read (the first and last always): fewer lookups, and hits
    /// still vote on diagonals. 1 = every k-mer.
    std::uint32_t kmer_stride = 4;
    std::uint32_t min_score = 2;       ///< looked-up k-mer hits on one diagonal needed to call a read mapped
    std::uint32_t max_postings = 200;  ///< k-mers found in more places are skipped as repeats
    std::uint32_t diagonal_slack = 3;  ///< hits this far off one diagonal still agree (small indels)
};

enum class SpliceStatus : std::uint8_t { Spliced = 0, Unspliced = 1, Ambiguous = 2 };

struct MapResult {
    bool mapped = false;
    std::vector<std::uint32_t> genes;  ///< ascending gene indices (the equivalence class)
    SpliceStatus status = SpliceStatus::Spliced;
    std::uint32_t score = 0;
    /// The read's placement, for BAM output: the first best-scoring target (an intron target
    /// when the read is unspliced) and the target position of the mapped sequence's first base
    /// (negative when the read starts before the target).
    std::uint32_t target = 0;
    std::int32_t offset = 0;
};

class Mapper {
public:
    Mapper(const Index& index, MapOptions options = {});
    /// Maps `sequence` as given (sense) or, with `reverse_complement`, its reverse complement
    /// (antisense chemistries). The result is valid until the next call.
    const MapResult& map(std::string_view sequence, bool reverse_complement = false);

private:
    struct Hit {
        std::uint32_t target;
        std::int32_t diagonal;
        bool operator<(const Hit& o) const noexcept { return target != o.target ? target < o.target : diagonal < o.diagonal; }
    };
    const Index* index_;
    MapOptions options_;
    std::vector<Hit> hits_;
    std::vector<std::pair<std::uint64_t, std::int32_t>> kmers_;  // (k-mer, read position) to look up
    struct Score {
        std::uint32_t target, score;
        std::int32_t diagonal;  // of the best cluster's first hit
    };
    std::vector<Score> scores_;
    std::vector<std::uint32_t> intron_genes_;
    std::string flipped_;
    MapResult result_;
};

}  // namespace kupffer::align
