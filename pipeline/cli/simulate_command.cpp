// `kupffer simulate`: flags -> SimulateOptions, run, print a summary.
#include <chrono>
#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "kupffer/simulate/simulate.hpp"

namespace kupffer::cli {

std::function<void()> add_simulate_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("simulate", "Write a seeded, simulated 10x hepatic immune study (reference, "
                                               "FASTQ run folder, whitelist, samplesheet, truth)");
    auto options = std::make_shared<simulate::SimulateOptions>();
    auto out = std::make_shared<std::string>();
    auto gene_model = std::make_shared<std::string>("compact");
    auto& o = *options;
    cmd->add_option("--out,-o", *out, "Output folder (must not exist or be empty)")->required();
    cmd->add_option("--seed", o.seed, "Random seed; same seed, same bytes")->capture_default_str();
    cmd->add_option("--chemistry", o.chemistry, "10xv2, 10xv3 (v3.1), 10xv4, 10x5p (5' R2 only) or 10x5pe (5' paired-end)")->capture_default_str();
    add_threads_option(cmd, o.threads);
    cmd->add_option("--groups", o.groups, "Treatment groups (control, ALF, ALF+hUC-MSC)")->delimiter(',')->capture_default_str();
    cmd->add_option("--animals-per-group", o.animals_per_group, "Animals in each group")->capture_default_str();
    cmd->add_option("--timepoints", o.timepoints, "Timepoints each animal is sampled at")->delimiter(',')->capture_default_str();
    cmd->add_option("--cells", o.cells, "Expected cells per sample")->capture_default_str();
    cmd->add_option("--empty-per-cell", o.empty_droplets_per_cell, "Empty droplets per cell")->capture_default_str();
    cmd->add_option("--umis-per-cell", o.umis_per_cell, "Median captured molecules per cell")->capture_default_str();
    cmd->add_option("--reads-per-cell", o.reads_per_cell, "Mean read pairs per cell")->capture_default_str();
    cmd->add_option("--lanes", o.lanes, "Lanes per sample")->capture_default_str();
    cmd->add_option("--doublet-rate", o.doublet_rate, "Fraction of cells that are doublets")->capture_default_str();
    cmd->add_option("--damaged-rate", o.damaged_rate, "Fraction of dying cells (high mitochondrial)")->capture_default_str();
    cmd->add_option("--ambient-fraction", o.ambient_fraction, "Share of a cell's molecules from ambient RNA")->capture_default_str();
    cmd->add_option("--intergenic-fraction", o.intergenic_fraction, "Share of molecules from intergenic DNA")->capture_default_str();
    cmd->add_option("--cytokine-effect", o.cytokine_effect_scale,
                    "Scale of the group effects on cytokines only (1 = built-in, 0 = none)")->capture_default_str();
    cmd->add_option("--group-effect", o.group_effect_scale,
                    "Scale of every group effect: shares, maturation, cytokines (1 = built-in, 0 = null study)")->capture_default_str();
    cmd->add_option("--animal-sd", o.animal_sd, "Per-animal log-normal sd of every gene's level")->capture_default_str();
    cmd->add_option("--read1-length", o.read1_length, "R1 length (0 = what the chemistry needs)")->capture_default_str();
    cmd->add_option("--read2-length", o.read2_length, "R2 (cDNA) length")->capture_default_str();
    cmd->add_option("--whitelist-size", o.whitelist_size, "Barcodes in the synthetic whitelist")->capture_default_str();
    cmd->add_option("--whitelist", o.whitelist, "Use this barcode whitelist (e.g. 10x's) instead of a synthetic one");
    cmd->add_option("--genome-size", o.genome_size, "Nuclear genome length in bases")->capture_default_str();
    cmd->add_option("--genes", o.genes, "Nuclear genes, named markers included")->capture_default_str();
    cmd->add_option("--gene-model", *gene_model,
                    "compact (short genes on 5 Mb contigs, for tests) or primate (human/rhesus exon and intron "
                    "lengths, nested genes, chromosomes up to 150 Mb)")
        ->check(CLI::IsMember({"compact", "primate"}))
        ->capture_default_str();
    cmd->add_option("--gtf", o.gtf, "Place the study on this real annotation (GTF, e.g. RefSeq or GENCODE) instead of "
                                    "simulated genes; --genes, --genome-size and --gene-model then do not apply");
    cmd->add_option("--genome", o.genome, "With --gtf: its genome FASTA (default: random sequence under the genes)");
    cmd->add_flag("!--no-read-truth", o.read_truth, "Skip truth/reads/ (smaller, faster for benchmarks)");
    cmd->add_flag("!--counts-only", o.fastqs, "Write no FASTQs: reference, samplesheet and truth counts only");
    cmd->add_flag("--overwrite", o.overwrite, "Replace a non-empty output folder");
    return [cmd, options, out, gene_model] {
        if (!cmd->parsed()) return;
        options->gene_model = simulate::parse_gene_model(*gene_model);
        const auto start = std::chrono::steady_clock::now();
        const auto results = simulate::simulate(*options, *out);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("kupffer simulate: %zu samples, %llu read pairs, %zu genes on %zu contigs in %.1f s -> %s\n",
                    results.samples.size(), static_cast<unsigned long long>(results.read_pairs), results.genes,
                    results.chromosomes, seconds, results.out_dir.c_str());
        std::printf("%-22s %-12s %-5s %-6s %7s %7s %11s %11s\n", "sample", "group", "time", "animal", "cells", "empty",
                    "molecules", "read_pairs");
        for (const auto& s : results.samples)
            std::printf("%-22s %-12s %-5s %-6s %7u %7u %11llu %11llu\n", s.name.c_str(), s.group.c_str(),
                        s.timepoint.c_str(), s.animal.c_str(), s.cells, s.empty_droplets,
                        static_cast<unsigned long long>(s.molecules), static_cast<unsigned long long>(s.read_pairs));
    };
}

}  // namespace kupffer::cli
