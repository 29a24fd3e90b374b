#pragma once
// The stage runners: each takes its inputs and an Options struct, writes its outputs the same way
// whether a subcommand or `kupffer run` calls it (staged, then renamed into place, with the
// stage's manifest written last) and returns what it found. They never print: `on_progress`
// receives the running stage's progress, and the CLI decides how to show it.
//
//   run_index         genome FASTA + GTF          -> OUT/index/          (kupffer_index.json)
//   run_map_sample    a sample's FASTQs + index   -> samples/<s>/records.kpf, map_metrics.json (kupffer_map.json)
//   run_count_sample  samples/<s>/records.kpf     -> matrices, cell calls, metrics  (kupffer_count.json)
//   run_analyse       samplesheet + samples/      -> OUT/analysis/       (kupffer_analyse.json)
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "kupffer/align/fastq_discovery.hpp"
#include "kupffer/align/index.hpp"
#include "kupffer/align/map_sample.hpp"
#include "kupffer/cluster/aggregate.hpp"
#include "kupffer/cluster/analyse.hpp"
#include "kupffer/pipeline/manifest.hpp"
#include "kupffer/pipeline/report.hpp"
#include "kupffer/quant/cell_calling.hpp"
#include "kupffer/quant/count.hpp"
#include "kupffer/quant/count_metrics.hpp"

namespace kupffer::pipeline {

// ---- index ---------------------------------------------------------------------------------
struct IndexStageOptions {
    align::IndexOptions index;
    Fingerprint fingerprint = Fingerprint::Quick;
};

struct IndexStageResults {
    std::size_t genes = 0, targets = 0, distinct_kmers = 0;
    std::uint32_t k = 0;
};

StageManifest index_manifest(const std::filesystem::path& genome, const std::filesystem::path& gtf, const IndexStageOptions& options);
/// Builds and saves the index (replacing `out` only if IndexOptions::overwrite).
IndexStageResults run_index(const std::filesystem::path& genome, const std::filesystem::path& gtf, const std::filesystem::path& out,
                            const IndexStageOptions& options);

// ---- map -----------------------------------------------------------------------------------
struct MapStageOptions {
    align::MapSampleOptions map;      ///< chemistry, whitelist, correction, threads
    bool bam = false;                 ///< also possorted_genome_bam.bam(.bai)
    double bam_sort_memory_gb = 0.0625;
    double records_memory_gb = 0.03125;
    bool overwrite = false;           ///< replace an existing sample folder
    Fingerprint fingerprint = Fingerprint::Quick;
};

/// Checks the options (OptionError naming the first problem).
void check(const MapStageOptions& options);
StageManifest map_manifest(const align::SampleFastqs& sample, const std::filesystem::path& index_dir, const MapStageOptions& options);
struct MapStageResults {
    align::SampleMetrics metrics;
    /// Implausible results (the report's alerts: few valid barcodes, a low mapping rate, ...), also
    /// written to map_metrics.json's "warnings"; callers show them.
    std::vector<Alert> warnings;
};

/// Maps one sample into `sample_dir` (built under <sample_dir>.partial).
MapStageResults run_map_sample(const align::SampleFastqs& sample, const align::Index& index,
                                    const std::filesystem::path& index_dir, const std::filesystem::path& sample_dir,
                                    const MapStageOptions& options);

// ---- count ---------------------------------------------------------------------------------
struct CountStageOptions {
    quant::CountOptions count;
    quant::CellCallingOptions cells;
    bool velocity = false;  ///< also velocity/{spliced,unspliced,ambiguous}/ of every barcode
    Fingerprint fingerprint = Fingerprint::Quick;
    std::function<void(const char* phase)> on_phase;  ///< "writing outputs", for progress displays
};

/// "discard" or "em" (OptionError otherwise).
quant::MultiGenePolicy parse_multi_gene(const std::string& name);
const char* to_string(quant::MultiGenePolicy policy);
void check(const CountStageOptions& options);

struct CountStageResults {
    std::size_t barcodes = 0;
    quant::CountMetrics metrics;
    std::vector<Alert> warnings;  ///< as MapStageResults' (few cells, ...), also in metrics.json's "warnings"
};

/// Every file and folder run_count_sample writes into a sample folder (velocity/ included).
const std::vector<std::string>& count_outputs();
StageManifest count_manifest(const std::filesystem::path& sample_dir, const CountStageOptions& options);
/// Counts <sample_dir>/records.kpf into the sample folder: the outputs are written to
/// <sample_dir>/count.partial/, moved into place, and kupffer_count.json written last; outputs of
/// an earlier count (velocity/ too) are removed first.
CountStageResults run_count_sample(const std::filesystem::path& sample_dir, const CountStageOptions& options);

// ---- analyse -------------------------------------------------------------------------------
struct AnalyseStageOptions {
    cluster::AnalysisOptions analysis = cluster::default_analysis_options();
    std::string matrix = "filtered_feature_bc_matrix";  ///< subfolder of each sample
    bool overwrite = false;
    Fingerprint fingerprint = Fingerprint::Quick;
    std::function<void(const char* phase)> on_phase;  ///< "writing outputs", for progress displays
};

struct AnalyseStageResults {
    cluster::AnalysisResults results;
    std::size_t cells = 0, genes = 0;
};

/// The resolved analysis options as stored in the manifest and the h5ad's uns (no thread count).
nlohmann::json analysis_parameters(const AnalyseStageOptions& options);
StageManifest analyse_manifest(const cluster::Samplesheet& sheet, const std::filesystem::path& samples_dir,
                               const AnalyseStageOptions& options);
/// Aggregates every sample of the sheet, analyses them and writes `out` (built under out.partial;
/// the samplesheet used is written beside the results as samplesheet.csv).
AnalyseStageResults run_analyse(const cluster::Samplesheet& sheet, const std::filesystem::path& samples_dir,
                                const std::filesystem::path& out, const AnalyseStageOptions& options);

/// A samplesheet as CSV text (the form read_samplesheet reads).
std::string samplesheet_csv(const cluster::Samplesheet& sheet);

}  // namespace kupffer::pipeline
