#include "kupffer/align/mapper.hpp"

#include <algorithm>

#include "kupffer/core/dna.hpp"

namespace kupffer::align {

Mapper::Mapper(const Index& index, MapOptions options) : index_(&index), options_(options) {
    hits_.reserve(1024);
    kmers_.reserve(256);
    if (options_.kmer_stride == 0) options_.kmer_stride = 1;
    scores_.reserve(256);
    result_.genes.reserve(16);
}

const MapResult& Mapper::map(std::string_view sequence, bool reverse_complement) {
    if (reverse_complement) {
        flipped_.resize(sequence.size());
        for (std::size_t i = 0; i < sequence.size(); ++i) flipped_[sequence.size() - 1 - i] = dna::complement(sequence[i]);
        sequence = flipped_;
    }
    result_.mapped = false;
    result_.genes.clear();
    result_.score = 0;
    const std::uint32_t k = index_->k();
    kmers_.clear();
    tiles_.clear();
    const auto last = static_cast<std::int64_t>(sequence.size()) - static_cast<std::int64_t>(k);
    bool broken = false;  // an N splits the read: its tiles do not cover it
    std::int64_t next_stride = 0, next_tile = 0;  // (no modulo per base)
    dna::for_each_kmer(sequence, k, [&](std::uint64_t kmer, std::uint32_t pos, std::uint32_t run) {
        const auto at = static_cast<std::int64_t>(pos);
        while (next_stride < at) next_stride += options_.kmer_stride;
        while (next_tile < at) next_tile += k;
        // Every stride-th k-mer, the last one, and the first one after an N.
        if (at == next_stride || at == last || run == k) kmers_.emplace_back(kmer, static_cast<std::int32_t>(pos));
        if (at == next_tile || at == last) {
            tiles_.emplace_back(kmer, static_cast<std::int32_t>(pos));
        }
        broken |= run == k && pos > 0;
    });
    std::uint32_t best = 0;
    const bool tiled = options_.tiles_first && !broken && tiles_.size() >= std::max<std::uint32_t>(options_.min_score, 2) &&
                       tiles_.front().second == 0 && tiles_.back().second == last;
    if (tiled && (best = vote_tiles()) > 0) ++tiled_reads_;
    else best = vote_all();
    if (best < options_.min_score) return result_;
    return decide(best);
}

// The tiles (k-mers at 0, k, 2k, ... and the last one) cover every base of the read. When each
// is found in exactly the same targets, each target once and on one diagonal, every base of the
// read matches each of those targets there; any other target lacks all the tiles. A full vote
// would give those targets every looked-up k-mer and the others fewer: its result is known, and
// taken from the tiles alone (the tiles' hits are the score). Returns 0 when the tiles disagree.
std::uint32_t Mapper::vote_tiles() {
    keys_.clear();
    for (const auto& tile : tiles_) keys_.push_back(tile.first);
    index_->find_many(keys_, postings_, ends_);
    const std::span<const Posting> first(postings_.data(), ends_[0]);
    if (first.empty() || first.size() > options_.max_postings) return 0;
    for (std::size_t i = 1; i < first.size(); ++i)
        if (first[i].target == first[i - 1].target) return 0;
    for (std::size_t t = 1; t < tiles_.size(); ++t) {
        const std::span<const Posting> found(postings_.data() + ends_[t - 1], ends_[t] - ends_[t - 1]);
        if (found.size() != first.size()) return 0;
        const auto shift = static_cast<std::uint32_t>(tiles_[t].second);
        for (std::size_t i = 0; i < first.size(); ++i)
            if (found[i].target != first[i].target || found[i].position != first[i].position + shift) return 0;
    }
    scores_.clear();
    const auto score = static_cast<std::uint32_t>(tiles_.size());
    for (const auto& p : first) scores_.push_back({p.target, score, static_cast<std::int32_t>(p.position)});
    return score;
}

std::uint32_t Mapper::vote_all() {
    hits_.clear();
    scores_.clear();
    keys_.clear();
    for (const auto& kmer : kmers_) keys_.push_back(kmer.first);
    index_->find_many(keys_, postings_, ends_);
    for (std::size_t i = 0; i < kmers_.size(); ++i) {
        const std::uint32_t begin = i == 0 ? 0 : ends_[i - 1];
        if (ends_[i] - begin > options_.max_postings) continue;
        for (std::uint32_t p = begin; p < ends_[i]; ++p)
            hits_.push_back({postings_[p].target, static_cast<std::int32_t>(postings_[p].position) - kmers_[i].second});
    }
    if (hits_.size() < options_.min_score) return 0;
    std::sort(hits_.begin(), hits_.end());

    // Per target, the largest group of hits whose diagonals lie within the slack of each other.
    std::uint32_t best = 0;
    for (std::size_t i = 0; i < hits_.size();) {
        std::size_t j = i;
        while (j < hits_.size() && hits_[j].target == hits_[i].target) ++j;
        std::uint32_t target_best = 0;
        std::int32_t diagonal = 0;
        for (std::size_t a = i, b = i; b < j; ++b) {
            while (hits_[b].diagonal - hits_[a].diagonal > static_cast<std::int32_t>(options_.diagonal_slack)) ++a;
            if (b - a + 1 > target_best) target_best = static_cast<std::uint32_t>(b - a + 1), diagonal = hits_[a].diagonal;
        }
        scores_.push_back({hits_[i].target, target_best, diagonal});
        best = std::max(best, target_best);
        i = j;
    }
    return best;
}

const MapResult& Mapper::decide(std::uint32_t best) {
    // A winning gene with intron-target hits has intronic bases in the read (a wholly exonic k-mer
    // cannot fit in the k-1 exonic flank of an intron target): the read is unspliced, even if most
    // of it lies in an exon. It takes min_score hits on one diagonal, as for mapping at all: a
    // single one is often chance, a read across an exon junction whose next exon begins with the
    // intron's first base (1 in 4). Winners split between the two kinds make it ambiguous.
    const auto& targets = index_->targets();
    intron_genes_.clear();
    for (const auto& s : scores_)
        if (targets[s.target].kind == TargetKind::Intron && s.score >= options_.min_score) intron_genes_.push_back(targets[s.target].gene);
    std::sort(intron_genes_.begin(), intron_genes_.end());
    // Exonic evidence beats intronic (as Cell Ranger and STARsolo assign): when some winning
    // targets are transcripts, genes that win only through an intron target (the read lies in
    // their intron, e.g. an exon of a gene nested in it or overlapping it on the same strand) drop out.
    bool exonic_winner = false;
    for (const auto& s : scores_) exonic_winner |= s.score == best && targets[s.target].kind != TargetKind::Intron;
    for (const auto& s : scores_)
        if (s.score == best && (!exonic_winner || targets[s.target].kind != TargetKind::Intron))
            result_.genes.push_back(targets[s.target].gene);
    std::sort(result_.genes.begin(), result_.genes.end());
    result_.genes.erase(std::unique(result_.genes.begin(), result_.genes.end()), result_.genes.end());
    std::size_t with_intron = 0;
    for (auto g : result_.genes) with_intron += std::binary_search(intron_genes_.begin(), intron_genes_.end(), g);
    result_.status = with_intron == 0 ? SpliceStatus::Spliced
                     : with_intron == result_.genes.size() ? SpliceStatus::Unspliced
                                                           : SpliceStatus::Ambiguous;
    // Placement: the first best target; for an unspliced read the best intron target of its
    // genes (its bases lie in the pre-mRNA, which only an intron target places contiguously, even
    // when more of the read's k-mers fall in the exon beside it).
    const Score* place = nullptr;
    for (const auto& s : scores_) {
        if (result_.status == SpliceStatus::Unspliced) {
            if (targets[s.target].kind != TargetKind::Intron ||
                !std::binary_search(result_.genes.begin(), result_.genes.end(), targets[s.target].gene))
                continue;
            if (!place || s.score > place->score) place = &s;
        } else if (s.score == best && !place) {
            place = &s;
        }
    }
    result_.target = place->target;
    result_.offset = place->diagonal;
    result_.score = best;
    result_.mapped = true;
    return result_;
}

}  // namespace kupffer::align
