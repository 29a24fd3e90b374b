#pragma once
// Each subcommand registers its flags (mapped onto a kupffer::pipeline Options struct) and a
// runner that calls one library function and prints its results.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "kupffer/pipeline/report.hpp"

namespace kupffer::cli {

/// Adds `simulate` to the app; the returned function runs it after parsing.
std::function<void()> add_simulate_command(CLI::App& app);
/// Adds `index`.
std::function<void()> add_index_command(CLI::App& app);
/// Adds `map` (demultiplex + map); `command_line` goes into BAM headers.
std::function<void()> add_map_command(CLI::App& app, std::string command_line);
/// Adds `count`.
std::function<void()> add_count_command(CLI::App& app);
/// Adds `analyse` (alias `analyze`).
std::function<void()> add_analyse_command(CLI::App& app);
/// Adds `report`: report.html and MultiQC files for an output folder.
std::function<void()> add_report_command(CLI::App& app);
/// Adds `run`: the whole chain from a descriptor (or from flags), with resume.
std::function<void()> add_run_command(CLI::App& app, std::string command_line);

/// --threads/-t, checked to 0..4096 (0 = all cores) on every subcommand.
inline CLI::Option* add_threads_option(CLI::App* cmd, int& threads) {
    return cmd->add_option("--threads,-t", threads, "Worker threads (0 = all cores); never changes the output")
        ->capture_default_str()
        ->check(CLI::Range(0, 4096));
}

/// "kupffer <command>: warning: <sample>: <message>" on stderr for each alert of a stage.
inline void print_alerts(const char* command, const std::vector<pipeline::Alert>& alerts) {
    for (const auto& a : alerts) std::fprintf(stderr, "kupffer %s: %s: %s: %s\n", command, a.level.c_str(), a.sample.c_str(), a.message.c_str());
}

}  // namespace kupffer::cli
