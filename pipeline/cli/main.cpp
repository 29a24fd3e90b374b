// kupffer: single-cell RNA-seq of hepatic immune cells. Only this file prints errors and exits.
// Exit codes (docs/errors.md): 0 done; 1 bad input (a file's content); 2 bad options or usage
// (including descriptor problems); 3 environment (a file cannot be read or written: permissions,
// a full disk, ...); 70 an internal error (a bug: please report it).
#include <CLI/CLI.hpp>
#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <exception>
#include <filesystem>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include "commands.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"

namespace {

std::mutex stopped_mutex;
std::string stopped_command;  // the subcommand the signal message names

/// SIGTERM (Slurm's scancel, Nextflow), SIGINT (Ctrl-C) and SIGHUP are taken by one thread, which
/// says so, removes every temporary the stages have registered (output_file.hpp) and exits with
/// 128 + the signal.
/// Blocked before any other thread starts, so every thread inherits the mask.
void handle_termination() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([set] {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) return;
        std::lock_guard lock(stopped_mutex);
        std::fprintf(stderr, "kupffer %s: stopped by %s: temporary outputs removed; finished stages are kept and a rerun resumes\n",
                     stopped_command.c_str(), sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "SIGHUP");
        kupffer::remove_temporaries();
        std::fflush(stderr);
        _exit(128 + sig);
    }).detach();
}

/// --help and --version exit 0 with CLI11's text; every other parse error is a usage error (exit
/// 2) in the one error style, naming the subcommand, with a pointer to its --help.
int usage_error(CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::string command;
    for (const auto* sub : app.get_subcommands()) command = sub->get_name();
    if (command.empty()) {
        std::string commands;
        for (const auto* sub : app.get_subcommands({})) commands += (commands.empty() ? "" : ", ") + sub->get_name();
        const bool unknown = argc > 1 && argv[1][0] != '-';
        std::fprintf(stderr, "kupffer: error: %s; commands: %s (kupffer <command> --help)\n",
                     unknown ? ("unknown command '" + std::string(argv[1]) + "'").c_str() : "a command is required", commands.c_str());
        return 2;
    }
    std::fprintf(stderr, "kupffer %s: error: %s (kupffer %s --help)\n", command.c_str(), e.what(), command.c_str());
    return 2;
}

/// The operation a filesystem_error names ("cannot create directories"), without the library's
/// "filesystem error: " prefix and the repeated reason and paths.
std::string filesystem_operation(const std::filesystem::filesystem_error& e) {
    std::string what = e.what();
    if (auto p = what.find("filesystem error: "); p != std::string::npos) what.erase(0, p + 18);
    if (auto p = what.find(": "); p != std::string::npos) what.erase(p);
    return what;
}

int report(const std::string& command, const char* kind, const char* what, int code) {
    std::fprintf(stderr, "kupffer %s: %s: %s\n", command.c_str(), kind, what);
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    handle_termination();
    // Past a file size limit (ulimit -f) a write fails with EFBIG and is reported as an error
    // (exit 3, temporaries removed) instead of the process being killed without a word.
    std::signal(SIGXFSZ, SIG_IGN);
    CLI::App app{"kupffer — single-cell RNA-seq pipeline for hepatic immune cells"};
    app.set_version_flag("--version", std::string("kupffer ") + KUPFFER_VERSION);
    app.require_subcommand(1);
    std::string command_line = "kupffer";
    for (int i = 1; i < argc; ++i) command_line += std::string(" ") + argv[i];
    std::vector<std::function<void()>> runners;
    runners.push_back(kupffer::cli::add_run_command(app, command_line));
    runners.push_back(kupffer::cli::add_simulate_command(app));
    runners.push_back(kupffer::cli::add_index_command(app));
    runners.push_back(kupffer::cli::add_map_command(app, command_line));
    runners.push_back(kupffer::cli::add_count_command(app));
    runners.push_back(kupffer::cli::add_analyse_command(app));
    runners.push_back(kupffer::cli::add_report_command(app));
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return usage_error(app, e, argc, argv);
    }
    const std::string command = app.get_subcommands().empty() ? "" : app.get_subcommands().front()->get_name();
    {
        std::lock_guard lock(stopped_mutex);
        stopped_command = command;
    }
    try {
        for (auto& run : runners) run();
        return 0;
    } catch (const kupffer::OptionError& e) {
        return report(command, "error", e.what(), 2);
    } catch (const kupffer::InputError& e) {
        return report(command, "error", e.what(), 1);
    } catch (const kupffer::IoError& e) {
        return report(command, "error", e.what(), 3);
    } catch (const kupffer::Error& e) {
        return report(command, "error", e.what(), 1);
    } catch (const std::bad_alloc&) {
        return report(command, "error", "out of memory", 3);
    } catch (const std::filesystem::filesystem_error& e) {
        // "<path>: cannot <operation>: <reason>", as IoError says it.
        const std::string what = e.path1().string() + ": " + filesystem_operation(e) + ": " + e.code().message();
        return report(command, "error", what.c_str(), 3);
    } catch (const std::exception& e) {
        return report(command, "internal error", e.what(), 70);
    }
}
