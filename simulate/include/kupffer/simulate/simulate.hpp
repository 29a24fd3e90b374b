#pragma once
// `kupffer simulate`: a seeded generator of a 10x Chromium hepatic immune study — reference,
// sequencer run folder, whitelist, samplesheet and the truth behind every read.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "kupffer/simulate/reference.hpp"

namespace kupffer::simulate {

struct SimulateOptions {
    std::uint64_t seed = 1;
    std::string chemistry = "10xv3";  ///< 10xv2, 10xv3 (v3.1), 10xv4, 10x5p (R2 only) or 10x5pe (paired-end)
    int threads = 0;                  ///< 0 = all hardware threads; never changes the output

    // Study design: every animal belongs to one group and is sampled at every timepoint.
    std::vector<std::string> groups = {"control", "ALF", "ALF+hUC-MSC"};  ///< subset of the built-in groups
    std::uint32_t animals_per_group = 2;
    std::vector<std::string> timepoints = {"D3"};

    // Per sample.
    std::uint32_t cells = 1000;           ///< expected cells per sample (each sample varies +-15%)
    double empty_droplets_per_cell = 4.0; ///< barcodes with ambient RNA only, per cell
    std::uint32_t umis_per_cell = 3000;   ///< median captured molecules of a typical cell
    std::uint32_t reads_per_cell = 5000;  ///< mean read pairs per cell (total reads / cells)
    std::uint32_t lanes = 2;
    double doublet_rate = 0.03;
    double damaged_rate = 0.03;           ///< dying cells: few molecules, high mitochondrial fraction
    double ambient_fraction = 0.03;       ///< of a cell's molecules that come from the ambient pool
    double intergenic_fraction = 0.02;    ///< of molecules that come from unannotated genomic DNA
    double cytokine_effect_scale = 1.0;   ///< scales the groups' cytokine log folds only (0 = no cytokine effect)
    /// Scales every group effect (cell-type shares, maturation, cytokines) from control's biology:
    /// 1 = the built-in groups, 0 = a null study where every group is control.
    double group_effect_scale = 1.0;
    /// Animals differ as biological replicates do: every gene's level per animal is log-normal
    /// with this sd (natural log; cytokines at least 0.3), and each animal's maturation varies.
    double animal_sd = 0.2;

    // Reads and reference.
    std::uint32_t read1_length = 0;  ///< 0 = what the chemistry needs (26 for v2/5', 28 for v3/v4; 39 + read 2's for 10x5pe)
    std::uint32_t read2_length = 90;
    std::uint32_t whitelist_size = 737'280;  ///< size of the synthetic whitelist
    std::filesystem::path whitelist;         ///< use this whitelist instead (e.g. 10x's), if set
    std::uint64_t genome_size = 12'000'000;
    std::uint32_t genes = 1000;
    GeneModel gene_model = GeneModel::Compact;  ///< compact test genes or primate-length ones
    /// Place the study on this real annotation (GTF) instead of simulated genes (genome_size,
    /// genes and gene_model then do not apply), on `genome` if given, else on random sequence.
    std::filesystem::path gtf;
    std::filesystem::path genome;
    bool read_truth = true;  ///< write truth/reads/<sample>.tsv.gz (large for big runs)
    /// Write FASTQ files at all; false = reference, samplesheet and truth counts only (seconds for
    /// hundreds of thousands of cells: for analysis tests and benchmarks).
    bool fastqs = true;
    bool overwrite = false;  ///< replace an existing non-empty output folder
};

struct SampleSummary {
    std::string name;
    std::string group;
    std::string timepoint;
    std::string animal;
    std::uint32_t cells = 0;
    std::uint32_t empty_droplets = 0;
    std::uint64_t molecules = 0;
    std::uint64_t read_pairs = 0;
};

struct SimulateResults {
    std::filesystem::path out_dir;
    std::vector<SampleSummary> samples;
    std::uint64_t read_pairs = 0;
    std::size_t genes = 0;
    std::size_t chromosomes = 0;
};

/// Validates options (OptionError, before any work) and writes the study to out_dir:
/// reference/{genome.fa,genes.gtf}, run/*.fastq.gz, whitelist.txt.gz, samplesheet.csv,
/// truth/{barcodes.tsv.gz,genes.tsv,counts/<sample>/,reads/<sample>.tsv.gz}, options.json.
/// The folder is built as "<out_dir>.partial" and renamed into place when complete.
SimulateResults simulate(const SimulateOptions& options, const std::filesystem::path& out_dir);

/// Throws OptionError listing every problem with the options at once.
void validate(const SimulateOptions& options);

}  // namespace kupffer::simulate
