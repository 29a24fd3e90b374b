// `kupffer map`: demultiplex and map every sample of a run folder (or explicit FASTQ files).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "commands.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/pipeline/stages.hpp"

namespace kupffer::cli {

namespace fs = std::filesystem;

namespace {
void print_sample(const align::SampleMetrics& m, double seconds) {
    auto pct = [](std::uint64_t a, std::uint64_t b) { return b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0.0; };
    const auto valid = m.barcode_exact + m.barcode_corrected;
    std::printf("%-24s %-6s %12llu %7.2f%% %7.2f%% %7.2f%%  (%.1f s)\n", m.sample.c_str(), m.chemistry.c_str(),
                static_cast<unsigned long long>(m.read_pairs), pct(valid, m.read_pairs), pct(m.barcode_corrected, m.read_pairs),
                pct(m.mapped, valid), seconds);
}
}  // namespace

std::function<void()> add_map_command(CLI::App& app, std::string command_line) {
    auto* cmd = app.add_subcommand("map", "Demultiplex and map: corrected barcodes, UMIs and genes of every read, per sample");
    struct Args {
        std::string index, fastqs, out, sample_name;
        std::vector<std::string> samples, r1, r2;
        pipeline::MapStageOptions options;
    };
    auto args = std::make_shared<Args>();
    auto& o = args->options;
    cmd->add_option("--index,-i", args->index, "Index folder from `kupffer index`")->required()->check(CLI::ExistingDirectory);
    auto* fastqs = cmd->add_option("--fastqs", args->fastqs, "Run folder: samples and lanes are found by their file names")
                       ->check(CLI::ExistingDirectory);
    cmd->add_option("--samples", args->samples, "Only these samples of the run folder")->delimiter(',');
    auto* r1 = cmd->add_option("--r1", args->r1, "Explicit R1 files (instead of --fastqs), one per lane")->delimiter(',');
    cmd->add_option("--r2", args->r2, "Explicit R2 files, paired with --r1 in order")->delimiter(',');
    cmd->add_option("--sample", args->sample_name, "Sample name for --r1/--r2")->default_val("sample");
    fastqs->excludes(r1);
    cmd->add_option("--out,-o", args->out, "Output folder; each sample gets OUT/<sample>/")->required();
    cmd->add_option("--chemistry", o.map.chemistry, "auto, 10xv2, 10xv3, 10xv4, 10x5p (R2 only) or 10x5pe (paired-end)")->capture_default_str();
    cmd->add_option("--whitelist", o.map.whitelist, "Barcode whitelist file, or a folder of 10x whitelists; omit to infer one from the reads");
    add_threads_option(cmd, o.map.threads);
    cmd->add_option("--min-posterior", o.map.correction.min_posterior, "Accept a corrected barcode above this posterior (0-1)")
        ->capture_default_str();
    cmd->add_flag("--bam", o.bam, "Also write possorted_genome_bam.bam(.bai): every read with CR/CY/CB, UR/UY/UB, GX/GN, RE, xf tags");
    cmd->add_option("--bam-sort-memory", o.bam_sort_memory_gb, "GB of BAM records sorted in memory before spilling to disk")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--records-memory", o.records_memory_gb,
                    "GB of records held in memory before sorted runs spill to disk (memory stays bounded however large the run)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--overwrite", o.overwrite, "Replace existing sample folders");
    o.map.command_line = std::move(command_line);
    return [cmd, args] {
        if (!cmd->parsed()) return;
        if (args->fastqs.empty() && args->r1.empty()) throw OptionError("give a run folder (--fastqs) or FASTQ files (--r1/--r2)");
        pipeline::check(args->options);
        const auto samples = args->fastqs.empty()
                                 ? std::vector<align::SampleFastqs>{align::sample_from_files(
                                       args->sample_name, {args->r1.begin(), args->r1.end()}, {args->r2.begin(), args->r2.end()})}
                                 : align::discover_fastqs(args->fastqs, args->samples);
        for (const auto& s : samples)
            if (fs::exists(fs::path(args->out) / s.name) && !args->options.overwrite)
                throw OptionError((fs::path(args->out) / s.name).string() + ": exists (use --overwrite)");
        args->options.map.whitelists = std::make_shared<align::WhitelistCache>();
        if (fs::is_regular_file(args->options.map.whitelist)) args->options.map.whitelists->get(args->options.map.whitelist);
        CreatedFolder out(args->out);
        const auto index = align::Index::load(args->index, std::nullopt, args->options.map.threads);
        std::printf("%-24s %-6s %12s %8s %8s %8s\n", "sample", "chem", "read_pairs", "valid%", "corr%", "mapped%");
        for (const auto& s : samples) {
            const auto start = std::chrono::steady_clock::now();
            const auto r = pipeline::run_map_sample(s, index, args->index, fs::path(args->out) / s.name, args->options);
            print_sample(r.metrics, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
            print_alerts("map", r.warnings);
            out.keep();
        }
    };
}

}  // namespace kupffer::cli
