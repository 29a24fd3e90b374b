#pragma once
// Maps a cDNA read to the genes it is compatible with. Every stride-th k-mer of the read is looked
// up; each hit votes for (target, diagonal = target position - read position). A target's score is its
// largest cluster of hits on nearly the same diagonal (so k-mers must agree on position and
// strand, not merely share a gene). The genes of the best-scoring targets form the read's
// equivalence class; whether those targets are transcripts, introns or both gives its splice
// status. Most reads are settled sooner: when the k-mers tiling the read agree on their targets
// and diagonal, the vote's outcome is already known (MapOptions::tiles_first). One Mapper per thread: it owns reusable scratch and allocates nothing per read once warm.
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
    /// Look up the k-mers that tile the read (positions 0, k, 2k, ..., and the last) first: when
    /// they all land on the same targets on one diagonal, the read matches those targets base for
    /// base and the vote is settled without the other lookups (most error-free reads; 3 lookups
    /// instead of 16 for 90 bases). false = always the full vote, which agrees on all but ~1 in
    /// 10^4 reads: junction reads where chance intron-flank hits sway the vote (for testing).
    bool tiles_first = true;
};

enum class SpliceStatus : std::uint8_t { Spliced = 0, Unspliced = 1, Ambiguous = 2 };

struct MapResult {
    bool mapped = false;
    std::vector<std::uint32_t> genes;  ///< ascending gene indices (the equivalence class)
    SpliceStatus status = SpliceStatus::Spliced;
    std::uint32_t score = 0;  ///< looked-up k-mers hitting the best target on its diagonal
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
    /// Reads this mapper settled from their tiles alone (MapOptions::tiles_first).
    std::uint64_t tiled_reads() const noexcept { return tiled_reads_; }

private:
    std::uint32_t vote_tiles();  // scores_ from the tiles when they agree; 0 if not
    std::uint32_t vote_all();    // scores_ from every looked-up k-mer; the best score
    const MapResult& decide(std::uint32_t best);
    struct Hit {
        std::uint32_t target;
        std::int32_t diagonal;
        bool operator<(const Hit& o) const noexcept { return target != o.target ? target < o.target : diagonal < o.diagonal; }
    };
    const Index* index_;
    MapOptions options_;
    std::vector<Hit> hits_;
    std::vector<std::pair<std::uint64_t, std::int32_t>> kmers_;  // (k-mer, read position) to look up
    std::vector<std::pair<std::uint64_t, std::int32_t>> tiles_;  // the k-mers tiling the read
    struct Score {
        std::uint32_t target, score;
        std::int32_t diagonal;  // of the best cluster's first hit
    };
    std::vector<Score> scores_;
    std::vector<std::uint64_t> keys_;                 // the k-mers of kmers_ or tiles_, for Index::find_many
    std::vector<Posting> postings_;                   // their postings, one k-mer after another
    std::vector<std::uint32_t> ends_;                 // where each k-mer's postings end
    std::vector<std::uint32_t> intron_genes_;
    std::string flipped_;
    MapResult result_;
    std::uint64_t tiled_reads_ = 0;
};

}  // namespace kupffer::align
