// `kupffer count`: records of `kupffer map` -> UMI counts, cell calls and Cell Ranger-style outputs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "commands.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/align/records.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/pipeline/stages.hpp"
#include "kupffer/quant/bam_records.hpp"

namespace kupffer::cli {

namespace fs = std::filesystem;

namespace {

/// The sample folders to count: those of --input (all, or --samples), or --out after reading --bam.
std::vector<fs::path> sample_folders(const std::string& input, const std::vector<std::string>& samples) {
    std::vector<fs::path> folders;
    if (samples.empty()) {
        for (const auto& e : fs::directory_iterator(input)) {
            if (e.is_directory() && e.path().extension() == ".partial")
                throw OptionError(e.path().string() + ": the map of this sample did not finish (rerun `kupffer map --overwrite`); "
                                                      "counting the other samples alone would look complete");
            if (e.is_directory() && fs::exists(e.path() / "records.kpf")) folders.push_back(e.path());
        }
        std::sort(folders.begin(), folders.end());
    } else {
        for (const auto& s : samples) folders.push_back(fs::path(input) / s);
    }
    if (folders.empty()) throw OptionError(input + ": no sample folders with records.kpf (run `kupffer map` first)");
    for (const auto& f : folders)
        if (!fs::exists(f / "records.kpf")) throw OptionError((f / "records.kpf").string() + ": not found");
    return folders;
}

void records_from_bam(const std::string& bam, const std::string& out) {
    CreatedFolder folder(out);
    quant::BamRecordStats stats;
    align::write_records(fs::path(out) / "records.kpf", quant::records_from_bam(bam, &stats));
    folder.keep();
    std::printf("kupffer count: %llu alignments in %s, %llu used (%llu secondary, %llu multi-mapped, %llu without CB/UB/GX)\n",
                static_cast<unsigned long long>(stats.alignments), bam.c_str(), static_cast<unsigned long long>(stats.used),
                static_cast<unsigned long long>(stats.secondary), static_cast<unsigned long long>(stats.multimapped),
                static_cast<unsigned long long>(stats.missing_tags));
}

}  // namespace

std::function<void()> add_count_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("count", "Count molecules and call cells for every sample folder written by `kupffer map`");
    struct Args {
        std::string input, bam, out, multi_gene = "discard";
        std::vector<std::string> samples;
        bool exact = false;
        pipeline::CountStageOptions options;
    };
    auto args = std::make_shared<Args>();
    auto& o = args->options;
    auto* input = cmd->add_option("--input,-i", args->input, "The `kupffer map` output folder (one subfolder per sample)")
                      ->check(CLI::ExistingDirectory);
    auto* bam = cmd->add_option("--bam", args->bam, "Count an existing BAM with CB/UB/GX tags (Cell Ranger, STARsolo) instead")
                    ->check(CLI::ExistingFile);
    auto* out = cmd->add_option("--out,-o", args->out, "With --bam: the sample folder to write");
    input->excludes(bam);
    input->excludes(out);
    cmd->add_option("--samples", args->samples, "Only these samples")->delimiter(',');
    cmd->add_flag("--include-introns", o.count.include_introns, "Count unspliced (intronic) molecules in the gene matrix");
    cmd->add_flag("--exact-umis", args->exact, "No UMI correction (default: directional, 1 mismatch; with --bam, UB is taken as corrected)");
    cmd->add_option("--multi-gene", args->multi_gene,
                    "Molecules compatible with several genes: discard, or em (each to its most probable gene by a per-cell EM)")
        ->capture_default_str();
    cmd->add_flag("--velocity", o.velocity, "Also write spliced/unspliced/ambiguous matrices (velocity/)");
    cmd->add_option("--expect-cells", o.cells.expected_cells, "OrdMag's expected cells")->capture_default_str();
    cmd->add_option("--emptydrops-lower", o.cells.lower, "Ambient pool: barcodes with at most this many UMIs")->capture_default_str();
    cmd->add_option("--emptydrops-iterations", o.cells.iterations, "Monte-Carlo iterations")->capture_default_str();
    cmd->add_option("--emptydrops-fdr", o.cells.fdr, "FDR for EmptyDrops cells")->capture_default_str();
    cmd->add_option("--seed", o.cells.seed, "Seed of the Monte-Carlo p-values")->capture_default_str();
    add_threads_option(cmd, o.count.threads);
    return [cmd, args] {
        if (!cmd->parsed()) return;
        auto& options = args->options;
        // A BAM's UB is already error-corrected (Cell Ranger, STARsolo, kupffer map --bam): its
        // distinct values are the molecules; collapsing them again would merge real ones.
        options.count.umi_method = args->exact || !args->bam.empty() ? quant::UmiMethod::Exact : quant::UmiMethod::Directional;
        options.count.multi_gene = pipeline::parse_multi_gene(args->multi_gene);
        pipeline::check(options);
        std::vector<fs::path> folders;
        if (!args->bam.empty()) {
            if (args->out.empty()) throw OptionError("--bam needs --out (the sample folder to write)");
            records_from_bam(args->bam, args->out);
            folders.push_back(args->out);
        } else if (args->input.empty()) {
            throw OptionError("give --input (a `kupffer map` folder) or --bam");
        } else {
            folders = sample_folders(args->input, args->samples);
        }
        std::printf("%-24s %9s %8s %10s %10s %11s %8s\n", "sample", "barcodes", "cells", "med_UMIs", "med_genes", "saturation", "in_cells");
        for (const auto& folder : folders) {
            const auto start = std::chrono::steady_clock::now();
            const auto r = pipeline::run_count_sample(folder, options);
            const auto& m = r.metrics;
            std::printf("%-24s %9zu %8llu %10.0f %10.0f %10.1f%% %7.1f%%  (%.1f s)\n", folder.filename().c_str(), r.barcodes,
                        static_cast<unsigned long long>(m.estimated_cells), m.median_umis_per_cell, m.median_genes_per_cell,
                        100 * m.sequencing_saturation, 100 * m.fraction_reads_in_cells,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
            print_alerts("count", r.warnings);
        }
    };
}

}  // namespace kupffer::cli
