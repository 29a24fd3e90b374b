#pragma once
// Wall time, CPU time and peak resident memory of a step, for run.json.
#include <atomic>
#include <chrono>
#include <thread>

namespace kupffer::pipeline {

struct Usage {
    double wall_seconds = 0, cpu_seconds = 0, peak_rss_mib = 0;
};

/// Measures from construction to stop(). The peak is sampled from /proc/self/statm every 20 ms by
/// a watcher thread (the kernel's own high-water mark is left alone: resetting it would falsify
/// what GNU time, Slurm or Nextflow measure of the whole process). CPU time is the process's.
class UsageMeter {
public:
    UsageMeter();
    ~UsageMeter();
    UsageMeter(const UsageMeter&) = delete;
    UsageMeter& operator=(const UsageMeter&) = delete;
    Usage stop();

private:
    std::chrono::steady_clock::time_point start_;
    double cpu_start_ = 0;
    std::atomic<bool> done_{false};
    std::atomic<long> peak_pages_{0};
    std::thread watcher_;
};

}  // namespace kupffer::pipeline
