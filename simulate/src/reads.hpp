#pragma once
// Internal: turns a sample's molecules into FASTQ text (R1, R2, I1) and per-read truth.
#include <cstdint>
#include <span>
#include <string>

#include "kupffer/core/random.hpp"
#include "model.hpp"

namespace kupffer::simulate::internal {

struct ReadLayout {
    std::uint32_t barcode_length = 16;
    std::uint32_t umi_length = 12;
    std::uint32_t read1_length = 28;
    std::uint32_t read2_length = 90;
    /// 10x 5': molecules are read from their 5' end (template switch oligo after the UMI in R1,
    /// R2 antisense from the fragment's far end); R1 beyond barcode + UMI + TSO is sense cDNA.
    bool five_prime = false;
};

struct ReadChunk {
    std::string r1, r2, i1, truth;
};

/// Appends the reads of `molecule_ids` (one entry per read pair) to `out`. `first_ordinal` is the
/// lane-wide number of the first read, used to make unique Illumina-style read names.
void synthesize_reads(const Reference& reference, const SampleMolecules& sample, const SampleDesign& design,
                      const ReadLayout& layout, std::uint32_t lane, std::uint64_t first_ordinal,
                      std::span<const std::uint32_t> molecule_ids, Rng& rng, bool with_truth, ReadChunk& out);

}  // namespace kupffer::simulate::internal
