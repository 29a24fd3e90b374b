// kupffer: single-cell RNA-seq of hepatic immune cells. Only this file prints errors and exits.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include "commands.hpp"
#include "kupffer/core/errors.hpp"

int main(int argc, char** argv) {
    CLI::App app{"kupffer — single-cell RNA-seq pipeline for hepatic immune cells"};
    app.set_version_flag("--version", std::string("kupffer ") + KUPFFER_VERSION);
    app.require_subcommand(1);
    std::vector<std::function<void()>> runners;
    runners.push_back(kupffer::cli::add_simulate_command(app));
    runners.push_back(kupffer::cli::add_index_command(app));
    std::string command_line = "kupffer";
    for (int i = 1; i < argc; ++i) command_line += std::string(" ") + argv[i];
    runners.push_back(kupffer::cli::add_map_command(app, command_line));
    runners.push_back(kupffer::cli::add_count_command(app));
    runners.push_back(kupffer::cli::add_analyse_command(app));
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        for (auto& run : runners) run();
        return 0;
    } catch (const kupffer::OptionError& e) {
        std::fprintf(stderr, "kupffer: error: %s\n", e.what());
        return 2;
    } catch (const kupffer::Error& e) {
        std::fprintf(stderr, "kupffer: error: %s\n", e.what());
        return 1;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "kupffer: error: out of memory\n");
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kupffer: internal error: %s\n", e.what());
        return 70;
    }
}
