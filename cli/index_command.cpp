// `kupffer index`: genome FASTA + GTF -> a saved k-mer index of transcripts and introns.
#include <chrono>
#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "kupffer/align/index.hpp"

namespace kupffer::cli {

std::function<void()> add_index_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("index", "Index a reference (genome FASTA + GTF) for `kupffer map`");
    struct Args {
        std::string genome, gtf, out;
        align::IndexOptions options;
    };
    auto args = std::make_shared<Args>();
    cmd->add_option("--genome,-g", args->genome, "Genome FASTA (plain or gzip)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--gtf", args->gtf, "Gene annotation GTF (plain or gzip)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--out,-o", args->out, "Index folder to write")->required();
    cmd->add_option("-k", args->options.k, "k-mer length (odd, 15-31)")->capture_default_str();
    cmd->add_option("--threads,-t", args->options.threads, "Worker threads (0 = all)")->capture_default_str();
    cmd->add_flag("--overwrite", args->options.overwrite, "Replace an existing index folder");
    return [cmd, args] {
        if (!cmd->parsed()) return;
        const auto start = std::chrono::steady_clock::now();
        const auto index = align::Index::build(args->genome, args->gtf, args->options);
        index.save(args->out, args->options.overwrite);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("kupffer index: %zu genes, %zu targets, %zu distinct %u-mers in %.1f s -> %s\n", index.gene_ids().size(),
                    index.targets().size(), index.distinct_kmers(), index.k(), seconds, args->out.c_str());
    };
}

}  // namespace kupffer::cli
