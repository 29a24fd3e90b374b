// `kupffer report`: report.html (and MultiQC files) for an output folder.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "commands.hpp"
#include "kupffer/pipeline/report.hpp"

namespace kupffer::cli {

namespace fs = std::filesystem;

std::function<void()> add_report_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("report", "Write report.html and MultiQC files for an output folder (kupffer run's, or the subcommands')");
    struct Args {
        std::string out, samples, analysis, html, multiqc;
    };
    auto args = std::make_shared<Args>();
    cmd->add_option("out", args->out, "Output folder of `kupffer run` (samples/, analysis/, run.json)")->required()->check(CLI::ExistingDirectory);
    cmd->add_option("--samples", args->samples, "Sample folders (default OUT/samples; `kupffer map`'s --out)")->check(CLI::ExistingDirectory);
    cmd->add_option("--analysis", args->analysis, "Analysis folder (default OUT/analysis; `kupffer analyse`'s --out)");
    cmd->add_option("--html", args->html, "The report to write (default OUT/report.html)");
    cmd->add_option("--multiqc", args->multiqc, "Folder for the *_mqc.json files (default OUT/multiqc)");
    return [cmd, args] {
        if (!cmd->parsed()) return;
        auto o = pipeline::report_layout(args->out);
        if (!args->samples.empty()) o.samples_dir = args->samples;
        if (!args->analysis.empty()) o.analysis_dir = args->analysis;
        if (!args->html.empty()) o.html = args->html;
        if (!args->multiqc.empty()) o.multiqc_dir = args->multiqc;
        const auto r = pipeline::write_report(o);
        std::printf("kupffer report: %zu samples, %zu alerts -> %s (%.1f kB), %zu MultiQC files in %s\n", r.samples, r.alerts.size(),
                    o.html.c_str(), static_cast<double>(r.html_bytes) / 1000.0, 2 * r.multiqc_files.size(), o.multiqc_dir.c_str());
        for (const auto& a : r.alerts) std::printf("  %s %s: %s\n", a.level.c_str(), a.sample.c_str(), a.message.c_str());
    };
}

}  // namespace kupffer::cli
