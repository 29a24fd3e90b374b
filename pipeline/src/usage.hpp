#pragma once
// Wall time, CPU time and peak resident memory of a step, for run.json.
#include <chrono>

namespace kupffer::pipeline {

struct Usage {
    double wall_seconds = 0, cpu_seconds = 0, peak_rss_mib = 0;
};

/// Measures from construction to stop(). With `reset_peak`, the kernel's peak-RSS mark is reset
/// first (Linux /proc/self/clear_refs), so the peak is this step's; otherwise it is the process's
/// peak so far. CPU time is the whole process's.
class UsageMeter {
public:
    explicit UsageMeter(bool reset_peak);
    Usage stop() const;

private:
    std::chrono::steady_clock::time_point start_;
    double cpu_start_ = 0;
};

}  // namespace kupffer::pipeline
