// `kupffer count`: records of `kupffer map` -> UMI counts, cell calls and Cell Ranger-style outputs.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "kupffer/align/records.hpp"
#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/quant/bam_records.hpp"
#include "kupffer/quant/cell_calling.hpp"
#include "kupffer/quant/count.hpp"
#include "kupffer/quant/count_metrics.hpp"
#include "kupffer/quant/h5_output.hpp"
#include "kupffer/quant/tenx_output.hpp"

namespace kupffer::cli {

namespace fs = std::filesystem;

namespace {
/// Writes a folder through a staging copy so it appears only when complete.
template <class F>
void write_folder(const fs::path& folder, F&& fill) {
    StagingDirectory staging(folder, true);
    fill(staging.staging());
    staging.commit();
}
}  // namespace

std::function<void()> add_count_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("count", "Count molecules and call cells for every sample folder written by `kupffer map`");
    struct Args {
        std::string input, bam, out, multi_gene = "discard";
        std::vector<std::string> samples;
        bool exact = false, velocity = false;
        quant::CountOptions count;
        quant::CellCallingOptions cells;
    };
    auto args = std::make_shared<Args>();
    auto* input = cmd->add_option("--input,-i", args->input, "The `kupffer map` output folder (one subfolder per sample)")
                      ->check(CLI::ExistingDirectory);
    auto* bam = cmd->add_option("--bam", args->bam, "Count an existing BAM with CB/UB/GX tags (Cell Ranger, STARsolo) instead")
                    ->check(CLI::ExistingFile);
    cmd->add_option("--out,-o", args->out, "With --bam: the sample folder to write");
    input->excludes(bam);
    cmd->add_option("--samples", args->samples, "Only these samples")->delimiter(',');
    cmd->add_flag("--include-introns", args->count.include_introns, "Count unspliced (intronic) molecules in the gene matrix");
    cmd->add_flag("--exact-umis", args->exact, "No UMI correction (default: directional, 1 mismatch; with --bam, UB is taken as corrected)");
    cmd->add_option("--multi-gene", args->multi_gene,
                    "Molecules compatible with several genes: discard, or em (each to its most probable gene by a per-cell EM)")
        ->capture_default_str();
    cmd->add_flag("--velocity", args->velocity, "Also write spliced/unspliced/ambiguous matrices (velocity/)");
    cmd->add_option("--expect-cells", args->cells.expected_cells, "OrdMag's expected cells")->capture_default_str();
    cmd->add_option("--emptydrops-lower", args->cells.lower, "Ambient pool: barcodes with at most this many UMIs")->capture_default_str();
    cmd->add_option("--emptydrops-iterations", args->cells.iterations, "Monte-Carlo iterations")->capture_default_str();
    cmd->add_option("--emptydrops-fdr", args->cells.fdr, "FDR for EmptyDrops cells")->capture_default_str();
    cmd->add_option("--seed", args->cells.seed, "Seed of the Monte-Carlo p-values")->capture_default_str();
    cmd->add_option("--threads,-t", args->count.threads, "Worker threads (0 = all); never changes the output")->capture_default_str();
    return [cmd, args] {
        if (!cmd->parsed()) return;
        // A BAM's UB is already error-corrected (Cell Ranger, STARsolo, kupffer map --bam): its
        // distinct values are the molecules; collapsing them again would merge real ones.
        args->count.umi_method = args->exact || !args->bam.empty() ? quant::UmiMethod::Exact : quant::UmiMethod::Directional;
        if (args->multi_gene != "discard" && args->multi_gene != "em")
            throw OptionError("--multi-gene must be discard or em, not '" + args->multi_gene + "'");
        args->count.multi_gene = args->multi_gene == "em" ? quant::MultiGenePolicy::Em : quant::MultiGenePolicy::Discard;
        args->cells.threads = args->count.threads;
        std::vector<fs::path> folders;
        if (!args->bam.empty()) {
            if (args->out.empty()) throw OptionError("--bam needs --out (the sample folder to write)");
            fs::create_directories(args->out);
            quant::BamRecordStats stats;
            align::write_records(fs::path(args->out) / "records.kpf", quant::records_from_bam(args->bam, &stats));
            std::printf("kupffer count: %llu alignments in %s, %llu used (%llu secondary, %llu multi-mapped, %llu without CB/UB/GX)\n",
                        static_cast<unsigned long long>(stats.alignments), args->bam.c_str(), static_cast<unsigned long long>(stats.used),
                        static_cast<unsigned long long>(stats.secondary), static_cast<unsigned long long>(stats.multimapped),
                        static_cast<unsigned long long>(stats.missing_tags));
            folders.push_back(args->out);
        } else if (args->input.empty()) {
            throw OptionError("give --input (a `kupffer map` folder) or --bam");
        } else if (args->samples.empty()) {
            for (const auto& e : fs::directory_iterator(args->input))
                if (e.is_directory() && fs::exists(e.path() / "records.kpf")) folders.push_back(e.path());
            std::sort(folders.begin(), folders.end());
        } else {
            for (const auto& s : args->samples) folders.push_back(fs::path(args->input) / s);
        }
        if (folders.empty()) throw OptionError(args->input + ": no sample folders with records.kpf (run `kupffer map` first)");
        for (const auto& f : folders)
            if (!fs::exists(f / "records.kpf")) throw OptionError((f / "records.kpf").string() + ": not found");
        std::printf("%-24s %9s %8s %10s %10s %11s %8s\n", "sample", "barcodes", "cells", "med_UMIs", "med_genes", "saturation", "in_cells");
        for (const auto& folder : folders) {
            const auto start = std::chrono::steady_clock::now();
            align::RecordReader records(folder / "records.kpf");  // streamed: memory stays bounded
            const auto counts = quant::count_molecules(records, args->count);
            const auto cells = quant::call_cells(counts.counts, args->cells);
            std::uint64_t read_pairs = 0;
            if (fs::exists(folder / "map_metrics.json")) {
                std::ifstream in(folder / "map_metrics.json");
                read_pairs = nlohmann::json::parse(in).value("read_pairs", std::uint64_t{0});
            }
            const auto metrics = quant::summarize(counts, cells, read_pairs);
            std::vector<std::string> barcodes;
            for (auto b : counts.barcodes) barcodes.push_back(dna::unpack(b, counts.barcode_length));
            std::vector<std::string> cell_barcodes;
            for (std::size_t c = 0; c < barcodes.size(); ++c)
                if (cells.is_cell[c]) cell_barcodes.push_back(barcodes[c]);
            write_folder(folder / "raw_feature_bc_matrix", [&](const fs::path& dir) {
                quant::write_10x_mtx(dir, counts.counts, counts.gene_ids, counts.gene_names, barcodes);
            });
            const auto filtered = quant::select_columns(counts.counts, cells.is_cell);
            std::vector<std::string> raw_labels, cell_labels;
            for (const auto& b : barcodes) raw_labels.push_back(b + "-1");
            for (const auto& b : cell_barcodes) cell_labels.push_back(b + "-1");
            quant::write_10x_h5(folder / "raw_feature_bc_matrix.h5", counts.counts, {counts.gene_ids, counts.gene_names, raw_labels});
            quant::write_10x_h5(folder / "filtered_feature_bc_matrix.h5", filtered, {counts.gene_ids, counts.gene_names, cell_labels});
            const auto spliced = quant::select_columns(counts.spliced, cells.is_cell);
            const auto unspliced = quant::select_columns(counts.unspliced, cells.is_cell);
            const auto ambiguous = quant::select_columns(counts.ambiguous, cells.is_cell);
            quant::write_h5ad(folder / "counts.h5ad", filtered, {counts.gene_ids, counts.gene_names, cell_labels},
                              {{"spliced", &spliced}, {"unspliced", &unspliced}, {"ambiguous", &ambiguous}});
            write_folder(folder / "filtered_feature_bc_matrix", [&](const fs::path& dir) {
                quant::write_10x_mtx(dir, filtered, counts.gene_ids, counts.gene_names, cell_barcodes);
            });
            if (args->velocity)
                write_folder(folder / "velocity", [&](const fs::path& dir) {
                    for (auto [name, m] : {std::pair{"spliced", &counts.spliced}, {"unspliced", &counts.unspliced}, {"ambiguous", &counts.ambiguous}})
                        quant::write_10x_mtx(dir / name, *m, counts.gene_ids, counts.gene_names, barcodes);
                });
            {
                std::string calls = "barcode\tumis\tcell\tordmag\temptydrops_pvalue\temptydrops_fdr\n";
                const auto totals = counts.counts.column_sums();
                char line[160];
                for (std::size_t c = 0; c < barcodes.size(); ++c) {
                    std::snprintf(line, sizeof line, "%s-1\t%.0f\t%d\t%d\t%.6g\t%.6g\n", barcodes[c].c_str(), totals[c],
                                  cells.is_cell[c] ? 1 : 0, totals[c] >= cells.ordmag_threshold ? 1 : 0, cells.pvalue[c], cells.fdr[c]);
                    calls += line;
                }
                write_text_file(folder / "cell_calls.tsv.gz", calls);
            }
            write_text_file(folder / "metrics.json", quant::metrics_json(metrics, counts));
            write_text_file(folder / "metrics_summary.csv", quant::metrics_csv(metrics));
            const nlohmann::json options = {{"software", "kupffer"}, {"version", KUPFFER_VERSION}, {"command", "count"},
                                            {"include_introns", args->count.include_introns},
                                            {"umi_method", args->exact ? "exact" : "directional"},
                                            {"multi_gene", args->multi_gene}, {"expect_cells", args->cells.expected_cells},
                                            {"emptydrops_lower", args->cells.lower}, {"emptydrops_iterations", args->cells.iterations},
                                            {"emptydrops_fdr", args->cells.fdr}, {"seed", args->cells.seed},
                                            {"threads", args->count.threads}};
            write_text_file(folder / "count_options.json", options.dump(2) + "\n");
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::printf("%-24s %9zu %8llu %10.0f %10.0f %10.1f%% %7.1f%%  (%.1f s)\n", folder.filename().c_str(), barcodes.size(),
                        static_cast<unsigned long long>(metrics.estimated_cells), metrics.median_umis_per_cell,
                        metrics.median_genes_per_cell, 100 * metrics.sequencing_saturation, 100 * metrics.fraction_reads_in_cells,
                        seconds);
        }
    };
}

}  // namespace kupffer::cli
