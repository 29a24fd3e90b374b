#pragma once
// From align's records to molecule counts: per barcode, each UMI's gene is what its reads agree on
// (the intersection of their equivalence classes); UMIs of one gene within one substitution of a
// more abundant UMI are merged into it (UMI-tools' directional rule, as STARsolo 1MM_Directional);
// each remaining UMI is one molecule. Spliced, unspliced and ambiguous molecules are counted in
// their own layers.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kupffer/align/records.hpp"
#include "kupffer/core/sparse_matrix.hpp"

namespace kupffer::quant {

enum class UmiMethod { Directional, Exact };
/// Molecules whose reads agree on no single gene (overlapping or paralogous genes):
///  - Discard (default, as Cell Ranger and STARsolo's `Unique`): not counted;
///  - Em: per barcode, gene abundances are estimated by expectation-maximisation over the unique
///    and multi-gene molecules (as alevin-fry's and STARsolo's EM), and each multi-gene molecule
///    goes to its most probable gene when that gene takes >= 90% of its posterior; otherwise (no
///    evidence telling the genes apart) it is discarded. Matrices stay integer (a
///    maximum-a-posteriori assignment, not fractional counts).
enum class MultiGenePolicy { Discard, Em };

struct CountOptions {
    UmiMethod umi_method = UmiMethod::Directional;
    MultiGenePolicy multi_gene = MultiGenePolicy::Discard;
    /// The "gene" matrix counts exonic molecules (spliced + ambiguous); with this, unspliced
    /// (intronic) ones too, as Cell Ranger 7's include-introns.
    bool include_introns = false;
    int threads = 0;  ///< never changes the output
    /// Records held at once when counting from a RecordReader (32 bytes each: 1Mi = 32 MiB);
    /// memory is then this block plus the matrices, however large the file. Never changes the output.
    std::size_t block_records = std::size_t{1} << 20;
    /// Streaming from a RecordReader: called after each block with the records read so far and
    /// their share of the file, in [0, 1] (progress displays); never changes the output.
    std::function<void(std::uint64_t records, double fraction)> on_progress;
};

struct CountResults {
    std::vector<std::string> gene_ids, gene_names;
    std::vector<std::uint64_t> barcodes;  ///< packed, ascending; every barcode with a molecule
    std::uint32_t barcode_length = 16;
    CountMatrix counts;  ///< genes x barcodes, per CountOptions::include_introns
    CountMatrix spliced, unspliced, ambiguous;
    std::vector<std::uint64_t> barcode_reads;  ///< reads behind each barcode's counted molecules
    std::uint64_t reads = 0;            ///< reads in the records
    std::uint64_t reads_bad_umi = 0;    ///< dropped: UMI with N or a homopolymer
    std::uint64_t reads_multi_gene = 0; ///< dropped: their molecule matched no single gene (after EM if asked)
    std::uint64_t molecules_em = 0;     ///< multi-gene molecules assigned a gene by EM
    std::uint64_t umis_merged = 0;      ///< UMIs absorbed by a more abundant neighbour
};

CountResults count_molecules(const align::RecordFile& records, const CountOptions& options);
/// The same, streaming the file a block of CountOptions::block_records at a time (a barcode
/// is never split: one larger than a block is held whole).
CountResults count_molecules(align::RecordReader& reader, const CountOptions& options);

/// Directional UMI collapsing (UMI-tools; core/umi_clusters.hpp): UMIs sorted by read count (then
/// value); a UMI is merged into the cluster of a neighbour one substitution away with count >= 2 x
/// its count - 1. Returns the number of molecules. `umis` holds (packed UMI, reads), any order.
std::size_t count_directional(const std::vector<std::pair<std::uint64_t, std::uint32_t>>& umis, std::uint32_t umi_length);

}  // namespace kupffer::quant
