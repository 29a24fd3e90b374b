#pragma once
// Demultiplex and map one sample in a single pass over its FASTQ files: detect the chemistry,
// extract and correct cell barcodes, extract UMIs, map the cDNA read, and collect the records for
// quant. Read pairs stream once through an ordered pipeline (R1 and R2 decompressed on two
// threads -> barcode lookup + mapping in parallel -> merge in input order), so the output never
// depends on the thread count. Exact whitelist hits are counted on the way; barcodes that are not
// exact hits wait with their qualities and are corrected at the end against the whole run's
// counts (Cell Ranger's method), so R1 is decompressed only once.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kupffer/align/barcodes.hpp"
#include "kupffer/align/chemistry.hpp"
#include "kupffer/align/fastq_discovery.hpp"
#include "kupffer/align/index.hpp"
#include "kupffer/align/mapper.hpp"
#include "kupffer/align/records.hpp"

namespace kupffer::align {

struct MapSampleOptions {
    /// A preset name (10xv2, 10xv3, 10xv4, 10x5p) or "auto" to detect it from the reads.
    std::string chemistry = "auto";
    /// A whitelist file, or a folder of 10x whitelists named after the chemistries'
    /// (737K-august-2016.txt[.gz], 3M-february-2018.txt[.gz], ...). Empty: infer it from the reads.
    std::filesystem::path whitelist;
    BarcodeCorrectionOptions correction;
    InferWhitelistOptions infer;
    MapOptions mapping;
    std::uint32_t detection_reads = 20'000;  ///< read pairs sampled to detect the chemistry
    std::size_t batch_size = 16384;          ///< read pairs per pipeline batch (16 Ki: 4% faster than 8 Ki on the bench, same output)
    /// Also write every read pair as a coordinate-sorted, indexed BAM here (see bam_output.hpp);
    /// empty = no BAM. Sorting spills to chunk files next to it beyond `bam_sort_memory` bytes.
    std::filesystem::path bam;
    std::size_t bam_sort_memory = std::size_t{64} << 20;
    std::string command_line;  ///< for the BAM header's @PG line
    /// Write the records here (records.kpf) rather than returning them. Then at most
    /// `max_records_in_memory` records (32 bytes each) are held: beyond, sorted runs spill to
    /// temporary files next to it and are merged at the end (0 = no limit).
    std::filesystem::path records;
    std::size_t max_records_in_memory = std::size_t{1} << 20;
    int threads = 0;                         ///< 0 = all hardware threads; never changes the output
    /// Whitelists shared by a run's samples (loaded once); null: this call loads its own.
    std::shared_ptr<WhitelistCache> whitelists;
    /// Called in input order after each batch with the read pairs read so far and the share of
    /// the sample's R1 bytes read, in [0, 1] (progress display and ETA); never changes the output.
    std::function<void(std::uint64_t read_pairs, double fraction)> on_progress;
};

/// How the chemistry was chosen, for the report.
struct ChemistryCandidate {
    std::string name;
    bool fits = false;            ///< R1 long enough for its barcode and UMI
    double whitelist_rate = 0;    ///< sampled barcodes that are exact whitelist hits (-1: no whitelist)
    double sense_rate = 0;        ///< sampled cDNA reads mapping as given
    double antisense_rate = 0;    ///< ... mapping once reverse-complemented
};

/// What one lane's reads look like, to spot a bad lane (counted before barcode correction).
struct LaneMetrics {
    std::uint32_t lane = 0;   ///< from the file names (0 = no lane in the names)
    std::string r1;           ///< the lane's R1 file name
    std::uint64_t read_pairs = 0;
    std::uint64_t barcode_exact = 0;  ///< barcodes found as they are in the whitelist
    std::uint64_t cdna_mapped = 0;    ///< cDNA reads assigned to genes (whatever their barcode)
    std::uint64_t barcode_bases = 0, barcode_q30 = 0, umi_bases = 0, umi_q30 = 0, cdna_bases = 0, cdna_q30 = 0;
};

struct SampleMetrics {
    std::string sample;
    std::string chemistry;
    std::string chemistry_reason;
    std::vector<ChemistryCandidate> candidates;
    std::string whitelist;  ///< file used, or "inferred"
    std::uint64_t whitelist_size = 0;
    std::uint64_t read_pairs = 0;
    std::uint64_t barcode_exact = 0, barcode_corrected = 0, barcode_rejected = 0;
    std::uint64_t umi_with_n = 0, umi_homopolymer = 0;
    std::uint64_t mapped = 0;  ///< with a valid barcode and at least one gene
    std::uint64_t spliced = 0, unspliced = 0, ambiguous = 0, multi_gene = 0;
    std::uint64_t barcode_bases = 0, barcode_q30 = 0, umi_bases = 0, umi_q30 = 0, cdna_bases = 0, cdna_q30 = 0;
    std::vector<LaneMetrics> lanes;  ///< one per lane, in the sample's lane order
};

struct MapSampleResults {
    RecordFile records;  ///< without records when MapSampleOptions::records was given
    std::uint64_t record_count = 0;
    std::size_t record_runs = 0;  ///< temporary runs spilled (0: all fitted in memory)
    SampleMetrics metrics;
    std::uint64_t bam_records = 0;  ///< records in MapSampleOptions::bam (every read pair)
};

/// Metrics on mapping (mapped, spliced, ..., UMI flags) count reads with a valid barcode.
/// Throws OptionError for unusable options, InputError naming file and record for bad reads
/// (R1/R2 out of step, a read too short for the chemistry, invalid bases, truncated files).
MapSampleResults map_sample(const SampleFastqs& sample, const Index& index, const MapSampleOptions& options);

/// metrics as JSON text (the `map_metrics.json` of a sample).
std::string metrics_json(const SampleMetrics& metrics);

}  // namespace kupffer::align
