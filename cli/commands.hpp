#pragma once
// Each subcommand registers its flags (mapped onto a library Options struct) and a runner.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

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

}  // namespace kupffer::cli
