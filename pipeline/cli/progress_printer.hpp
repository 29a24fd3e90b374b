#pragma once
// Shows `kupffer run`'s progress: on a terminal, one status line of the running stages and samples
// with what they have done, their rate, the share done and the time left, redrawn in place; otherwise (Nextflow, Slurm logs)
// timestamped plain lines, updates at most every `plain_interval` seconds per step. --log FILE
// gets the plain lines as well; --quiet keeps only errors.
#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "kupffer/pipeline/run.hpp"

namespace kupffer::cli {

class ProgressPrinter {
public:
    ProgressPrinter(bool quiet, const std::string& log_file, double plain_interval = 10.0);
    ~ProgressPrinter();
    ProgressPrinter(const ProgressPrinter&) = delete;
    ProgressPrinter& operator=(const ProgressPrinter&) = delete;

    void operator()(const pipeline::ProgressEvent& e);
    /// A plain line to the screen (unless quiet) and the log.
    void line(const std::string& text);

private:
    void plain(const std::string& text, bool to_screen);
    void redraw();

    bool quiet_, tty_;
    double interval_;
    std::FILE* log_ = nullptr;
    struct Running {
        std::string text;
        std::chrono::steady_clock::time_point last_plain;
    };
    std::map<std::string, Running> running_;
    std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace kupffer::cli
