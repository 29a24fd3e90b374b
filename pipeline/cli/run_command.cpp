// `kupffer run`: the whole study from a descriptor (or straight from a run folder with flags),
// resuming where an earlier run stopped.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "commands.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/pipeline/descriptor.hpp"
#include "kupffer/pipeline/run.hpp"
#include "progress_printer.hpp"

namespace kupffer::cli {

namespace fs = std::filesystem;

namespace {

struct RunArgs {
    std::string descriptor, from, log;
    std::vector<std::string> fastqs;
    pipeline::DirectRun direct;
    std::string genome, gtf, index, samplesheet, whitelist, out;
    int threads = -1;
    bool dry_run = false, force = false, deep = false, quiet = false;
    std::string command_line;
};

pipeline::Study load_study(const RunArgs& a) {
    const bool direct = !a.fastqs.empty() || !a.genome.empty() || !a.gtf.empty() || !a.index.empty() || !a.samplesheet.empty() || !a.out.empty();
    if (!a.descriptor.empty() && direct)
        throw OptionError("give a descriptor, or the run's flags (--fastqs, --genome/--gtf or --index, --samplesheet, --out), not both");
    if (a.descriptor.empty() && !direct) throw OptionError("give a descriptor (kupffer run study.yaml) or --fastqs, --genome, --gtf, --samplesheet and --out");
    pipeline::Study study;
    if (!a.descriptor.empty()) {
        study = pipeline::load_descriptor(a.descriptor);
    } else {
        auto d = a.direct;
        for (const auto& f : a.fastqs) d.fastqs.emplace_back(f);
        d.genome = a.genome, d.gtf = a.gtf, d.index = a.index, d.samplesheet = a.samplesheet, d.whitelist = a.whitelist, d.output = a.out;
        study = pipeline::study_from_direct_run(d);
    }
    if (a.threads >= 0) study.threads = a.threads;  // never changes the outputs
    return study;
}

void print_plan(const std::vector<pipeline::PlannedStep>& plan, ProgressPrinter& say) {
    say.line("plan:");
    for (const auto& p : plan) {
        char text[512];
        std::snprintf(text, sizeof text, "  %-8s %-24s %-4s %s", pipeline::to_string(p.stage), p.sample.empty() ? "-" : p.sample.c_str(),
                      p.run ? "run" : "skip", p.reason.c_str());
        say.line(text);
    }
}

void print_answer(const pipeline::RunResults& r) {
    std::printf("%-24s %-6s %12s %8s %8s %7s %9s %9s\n", "sample", "chem", "read_pairs", "valid%", "mapped%", "cells", "med_UMIs", "med_genes");
    for (const auto& s : r.samples)
        std::printf("%-24s %-6s %12llu %7.2f%% %7.2f%% %7llu %9.0f %9.0f\n", s.sample.c_str(), s.chemistry.c_str(),
                    static_cast<unsigned long long>(s.read_pairs), 100 * s.valid_barcodes, 100 * s.mapping_rate,
                    static_cast<unsigned long long>(s.cells), s.median_umis, s.median_genes);
    const auto analysis = r.output / "analysis";
    for (const auto& a : r.alerts) std::printf("alert (%s) %s: %s\n", a.level.c_str(), a.sample.c_str(), a.message.c_str());
    std::printf("\nreport: %s/report.html\noutputs: %s/ (samples/<sample>/ matrices and metrics, analysis/ tables, plots and "
                "analysis.h5ad, multiqc/, run.json)\n",
                r.output.c_str(), r.output.c_str());
    std::printf("IL-6 between groups, per-animal pseudobulk (%s/cytokine_tests.tsv):\n", analysis.c_str());
    std::printf("  %-26s %-6s %-14s %-14s %8s %10s\n", "cell_type", "time", "group", "vs", "log2FC", "FDR");
    for (const auto& t : pipeline::read_cytokine_tests(analysis, "IL6"))
        std::printf("  %-26s %-6s %-14s %-14s %8.2f %10.3g%s\n", t.cell_type.c_str(), t.timepoint.c_str(), t.group.c_str(),
                    t.reference.c_str(), t.log2_fc, t.fdr, t.fdr < 0.05 ? "  *" : "");
}

}  // namespace

std::function<void()> add_run_command(CLI::App& app, std::string command_line) {
    auto* cmd = app.add_subcommand("run", "Run a whole study (index, map, count, analyse) from a workflow descriptor, resuming where it stopped");
    auto args = std::make_shared<RunArgs>();
    args->command_line = std::move(command_line);
    cmd->add_option("descriptor", args->descriptor, "Workflow descriptor (YAML; see workflows/kupffer.schema.json)")->check(CLI::ExistingFile);
    cmd->add_option("--fastqs", args->fastqs, "Without a descriptor: run folder(s) of the sequencer")->delimiter(',');
    cmd->add_option("--genome,-g", args->genome, "Without a descriptor: genome FASTA");
    cmd->add_option("--gtf", args->gtf, "Without a descriptor: GTF");
    cmd->add_option("--index", args->index, "Without a descriptor: an index from `kupffer index` (instead of --genome/--gtf)");
    cmd->add_option("--samplesheet,-s", args->samplesheet, "Without a descriptor: sample,group,timepoint,animal[,fastq_1,fastq_2]");
    cmd->add_option("--whitelist", args->whitelist, "Without a descriptor: barcode whitelist (file or folder)");
    cmd->add_option("--chemistry", args->direct.chemistry, "Without a descriptor: chemistry")->capture_default_str();
    cmd->add_option("--out,-o", args->out, "Without a descriptor: output folder (gets kupffer.yaml to repeat the run)");
    cmd->add_option("--threads,-t", args->threads, "Worker threads, overriding the descriptor's (0 = all cores); never changes the outputs")
        ->check(CLI::Range(0, 4096));
    cmd->add_flag("--dry-run,-n", args->dry_run, "Print the plan (each stage and sample, run or skipped, and why) and stop");
    cmd->add_flag("--force", args->force, "Rerun every stage");
    cmd->add_option("--from", args->from, "Rerun this stage (index, map, count, analyse) and everything after it");
    cmd->add_flag("--deep", args->deep, "Recognise inputs by content (MD5) as well as size and time");
    cmd->add_flag("--quiet,-q", args->quiet, "Only errors on the terminal");
    cmd->add_option("--log", args->log, "Also append timestamped progress lines to this file");
    return [cmd, args] {
        if (!cmd->parsed()) return;
        pipeline::RunOptions options;
        options.dry_run = args->dry_run;
        options.force = args->force;
        if (!args->from.empty()) options.from = pipeline::parse_stage(args->from);
        options.fingerprint = args->deep ? pipeline::Fingerprint::Deep : pipeline::Fingerprint::Quick;
        options.command_line = args->command_line;
        const auto study = load_study(*args);
        ProgressPrinter printer(args->quiet, args->log);
        options.progress = [&printer](const pipeline::ProgressEvent& e) { printer(e); };
        if (args->dry_run) {
            for (const auto& note : study.notes) printer.line("note: " + note);
            print_plan(pipeline::plan_run(study, options), printer);
            return;
        }
        const auto results = pipeline::run_study(study, options);
        if (!args->quiet) print_answer(results);
    };
}

}  // namespace kupffer::cli
