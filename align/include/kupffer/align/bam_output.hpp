#pragma once
// BAM output of `kupffer map --bam`: every read pair's cDNA read, placed on the genome from the
// target it mapped to (spliced reads get N gaps across introns, reads running off a target are
// soft-clipped), with Cell Ranger's tags, coordinate-sorted and indexed. Sorting is an external
// merge sort with a memory budget, so a run of any size sorts in bounded memory.
//
// Placement comes from the k-mer diagonal, not a base-level alignment: mismatches fall inside M
// operations and an indel shifts the bases after it (as kallisto's pseudobam projections).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "kupffer/align/index.hpp"
#include "kupffer/align/mapper.hpp"
#include "kupffer/core/hts.hpp"

namespace kupffer::align {

struct GenomePlacement {
    std::int32_t contig = -1;  ///< -1: not placed
    std::int64_t position = 0;  ///< 0-based leftmost aligned base
    bool reverse = false;       ///< the read (as sequenced) lies on the genome's minus strand
    std::vector<std::uint32_t> cigar;  ///< BAM-encoded (length << 4 | op)
};

/// Places a read mapped to `target` at target position `offset` (MapResult::target/offset) on the
/// genome. `read_length` counts the mapped sequence; `mapped_reverse_complement` says whether it
/// was mapped as its reverse complement (antisense chemistries).
GenomePlacement place_on_genome(const Index& index, std::uint32_t target, std::int32_t offset, std::uint32_t read_length,
                                bool mapped_reverse_complement);

/// A coordinate-sorted BAM header (@HD SO:coordinate, @SQ per contig, @RG for the sample, @PG).
BamHeaderPtr make_bam_header(const Index& index, const std::string& sample, const std::string& command_line);

/// The parts of a read pair a BAM record carries.
struct BamRead {
    std::string_view name, cdna, cdna_quality;
    std::string_view barcode, barcode_quality, umi, umi_quality;  ///< as sequenced (CR/CY, UR/UY)
    bool umi_valid = false;                ///< no N, not a homopolymer: UB is written (UR, corrected later)
    const MapResult* mapped = nullptr;      ///< null: unmapped
    bool mapped_reverse_complement = false;
    /// The cell barcode: corrected sequence (CB), or -1 with `pending` set when correction waits
    /// for the end of the run (the "zp" tag then holds the pending index for SortedBamWriter's edit).
    std::string_view corrected_barcode;
    std::int64_t pending = -1;
};

/// Fills `out` with one record: tags CR CY UR UY [UB = UR until SortedBamWriter's edit corrects
/// it] then, for mapped reads, GX GN (';'-joined
/// for several genes), RE (E spliced, N unspliced, as Cell Ranger's exonic/intronic), xf (17 =
/// confidently mapped to one gene, 0 otherwise), and last CB or the pending "zp".
void fill_bam_record(bam1_t* out, const Index& index, const BamRead& read, std::string& scratch);

/// Writes BAM records in coordinate order: records arrive in input order, are kept up to a memory
/// budget, sorted (stably: ties keep input order, so the output never depends on threads) and
/// spilled to temporary chunk files next to the output, then merged into the final file, which
/// appears (with its .bai index) only when complete.
class SortedBamWriter {
public:
    SortedBamWriter(std::filesystem::path path, const sam_hdr_t* header, std::size_t memory_bytes, int threads);
    ~SortedBamWriter();
    SortedBamWriter(const SortedBamWriter&) = delete;
    SortedBamWriter& operator=(const SortedBamWriter&) = delete;

    void add(BamRecordPtr record);
    /// Merges everything into the output, passing each record through `edit` (e.g. to resolve
    /// pending barcodes), then indexes it. Returns the records written.
    std::uint64_t finish(const std::function<void(bam1_t*)>& edit);
    std::size_t chunks() const noexcept { return chunks_.size(); }

private:
    void spill();
    std::filesystem::path path_;
    BamHeaderPtr header_;
    std::size_t memory_bytes_;
    int threads_;
    std::vector<BamRecordPtr> buffer_;
    std::size_t buffered_bytes_ = 0;
    std::vector<std::filesystem::path> chunks_;
};

}  // namespace kupffer::align
