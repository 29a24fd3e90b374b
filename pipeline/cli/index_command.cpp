// `kupffer index`: genome FASTA + GTF -> a saved k-mer index of transcripts and introns.
#include <chrono>
#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "kupffer/pipeline/stages.hpp"

namespace kupffer::cli {

std::function<void()> add_index_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("index", "Index a reference (genome FASTA + GTF) for `kupffer map`");
    struct Args {
        std::string genome, gtf, out;
        double memory_gb = 0;
        bool dry_run = false;
        pipeline::IndexStageOptions options;
    };
    auto args = std::make_shared<Args>();
    auto& o = args->options.index;
    cmd->add_option("--genome,-g", args->genome, "Genome FASTA (plain or gzip)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--gtf", args->gtf, "Gene annotation GTF (plain or gzip)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--out,-o", args->out, "Index folder to write")->required();
    cmd->add_option("-k", o.k, "k-mer length (odd, 15-31)")->capture_default_str();
    add_threads_option(cmd, o.threads);
    cmd->add_flag("--overwrite", o.overwrite, "Replace an existing index folder");
    cmd->add_option("--memory", args->memory_gb, "GB of memory this build may use: refused up front if the estimate is larger (0 = no limit)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--dry-run,-n", args->dry_run, "Print the estimated memory and disk the index needs, and stop (nothing written)");
    return [cmd, args] {
        if (!cmd->parsed()) return;
        args->options.index.memory_bytes = static_cast<std::uint64_t>(args->memory_gb * 1e9);
        if (args->dry_run) {
            std::printf("kupffer index: %s\n", align::describe(align::estimate_index(args->genome, args->gtf, args->options.index)).c_str());
            return;
        }
        const auto start = std::chrono::steady_clock::now();
        const auto r = pipeline::run_index(args->genome, args->gtf, args->out, args->options);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("kupffer index: %zu genes, %zu targets, %zu distinct %u-mers in %.1f s -> %s\n", r.genes, r.targets, r.distinct_kmers,
                    r.k, seconds, args->out.c_str());
    };
}

}  // namespace kupffer::cli
