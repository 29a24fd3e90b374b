// `kupffer map`: demultiplex and map every sample of a run folder (or explicit FASTQ files).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "kupffer/align/map_sample.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"

namespace kupffer::cli {

namespace fs = std::filesystem;

std::function<void()> add_map_command(CLI::App& app, std::string command_line) {
    auto* cmd = app.add_subcommand("map", "Demultiplex and map: corrected barcodes, UMIs and genes of every read, per sample");
    struct Args {
        std::string index, fastqs, out, sample_name;
        std::vector<std::string> samples, r1, r2;
        bool overwrite = false, bam = false;
        double bam_sort_memory_gb = 0.0625, records_memory_gb = 0.03125;
        align::MapSampleOptions options;
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
    cmd->add_option("--chemistry", o.chemistry, "auto, 10xv2, 10xv3, 10xv4, 10x5p (R2 only) or 10x5pe (paired-end)")->capture_default_str();
    cmd->add_option("--whitelist", o.whitelist,
                    "Barcode whitelist file, or a folder of 10x whitelists; omit to infer one from the reads");
    cmd->add_option("--threads,-t", o.threads, "Worker threads (0 = all); never changes the output")->capture_default_str();
    cmd->add_option("--min-posterior", o.correction.min_posterior, "Accept a corrected barcode above this posterior")
        ->capture_default_str();
    cmd->add_flag("--bam", args->bam,
                  "Also write possorted_genome_bam.bam(.bai): every read with CR/CY/CB, UR/UY/UB, GX/GN, RE, xf tags");
    cmd->add_option("--bam-sort-memory", args->bam_sort_memory_gb, "GB of BAM records sorted in memory before spilling to disk")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--records-memory", args->records_memory_gb,
                    "GB of records held in memory before sorted runs spill to disk (memory stays bounded however large the run)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--overwrite", args->overwrite, "Replace existing sample folders");
    args->options.command_line = std::move(command_line);
    return [cmd, args] {
        if (!cmd->parsed()) return;
        if (args->fastqs.empty() && args->r1.empty()) throw OptionError("give a run folder (--fastqs) or FASTQ files (--r1/--r2)");
        const auto samples = args->fastqs.empty()
                                 ? std::vector<align::SampleFastqs>{align::sample_from_files(
                                       args->sample_name, {args->r1.begin(), args->r1.end()}, {args->r2.begin(), args->r2.end()})}
                                 : align::discover_fastqs(args->fastqs, args->samples);
        for (const auto& s : samples)
            if (fs::exists(fs::path(args->out) / s.name) && !args->overwrite)
                throw OptionError((fs::path(args->out) / s.name).string() + ": exists (use --overwrite)");
        const auto index = align::Index::load(args->index, std::nullopt, args->options.threads);
        fs::create_directories(args->out);
        std::printf("%-24s %-6s %12s %8s %8s %8s %9s\n", "sample", "chem", "read_pairs", "valid%", "corr%", "mapped%", "records");
        for (const auto& s : samples) {
            const auto start = std::chrono::steady_clock::now();
            StagingDirectory dir(fs::path(args->out) / s.name, args->overwrite);
            auto sample_options = args->options;
            sample_options.records = dir.staging() / "records.kpf";
            sample_options.max_records_in_memory =
                std::max<std::size_t>(1024, static_cast<std::size_t>(args->records_memory_gb * double(1 << 30)) / sizeof(align::Record));
            if (args->bam) {
                sample_options.bam = dir.staging() / "possorted_genome_bam.bam";
                sample_options.bam_sort_memory = static_cast<std::size_t>(args->bam_sort_memory_gb * double(1 << 30));
            }
            const auto results = align::map_sample(s, index, sample_options);
            write_text_file(dir.staging() / "map_metrics.json", align::metrics_json(results.metrics));
            const nlohmann::json options = {{"software", "kupffer"}, {"version", KUPFFER_VERSION}, {"command", "map"},
                                            {"index", args->index}, {"sample", s.name}, {"chemistry", args->options.chemistry},
                                            {"whitelist", args->options.whitelist.string()}, {"threads", args->options.threads},
                                            {"min_posterior", args->options.correction.min_posterior},
                                            {"bam", args->bam}, {"records_memory_gb", args->records_memory_gb}};
            write_text_file(dir.staging() / "options.json", options.dump(2) + "\n");
            dir.commit();
            const auto& m = results.metrics;
            auto pct = [](std::uint64_t a, std::uint64_t b) { return b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0.0; };
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::printf("%-24s %-6s %12llu %7.2f%% %7.2f%% %7.2f%% %9zu  (%.1f s)\n", s.name.c_str(), m.chemistry.c_str(),
                        static_cast<unsigned long long>(m.read_pairs), pct(m.barcode_exact + m.barcode_corrected, m.read_pairs),
                        pct(m.barcode_corrected, m.read_pairs), pct(m.mapped, m.barcode_exact + m.barcode_corrected),
                        static_cast<std::size_t>(results.record_count), seconds);
        }
    };
}

}  // namespace kupffer::cli
