#include "usage.hpp"

#include <H5public.h>
#include <htslib/hts.h>
#include <igraph/igraph_version.h>
#include <oneapi/tbb/version.h>
#include <sys/resource.h>
#include <unistd.h>

#include <Eigen/Core>
#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "kupffer/pipeline/run.hpp"

namespace kupffer::pipeline {

namespace {

double process_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

long resident_pages() {
    std::ifstream statm("/proc/self/statm");
    long size = 0, resident = 0;
    statm >> size >> resident;
    return resident;
}

}  // namespace

UsageMeter::UsageMeter() : start_(std::chrono::steady_clock::now()), cpu_start_(process_cpu_seconds()), peak_pages_(resident_pages()) {
    watcher_ = std::thread([this] {
        while (!done_.load()) {
            const long now = resident_pages();
            if (now > peak_pages_.load()) peak_pages_.store(now);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
}

UsageMeter::~UsageMeter() {
    done_.store(true);
    if (watcher_.joinable()) watcher_.join();
}

Usage UsageMeter::stop() {
    done_.store(true);
    if (watcher_.joinable()) watcher_.join();
    const long pages = std::max(peak_pages_.load(), resident_pages());
    return {std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(), process_cpu_seconds() - cpu_start_,
            static_cast<double>(pages) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0)};
}

nlohmann::ordered_json library_versions() {
    unsigned h5_major = 0, h5_minor = 0, h5_release = 0;
    H5get_libversion(&h5_major, &h5_minor, &h5_release);
    const char* igraph = nullptr;
    igraph_version(&igraph, nullptr, nullptr, nullptr);
    return {{"kupffer", kupffer_version()},
            {"htslib", hts_version()},
            {"onetbb", TBB_runtime_version()},
            {"eigen", std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." + std::to_string(EIGEN_MINOR_VERSION)},
            {"hdf5", std::to_string(h5_major) + "." + std::to_string(h5_minor) + "." + std::to_string(h5_release)},
            {"igraph", igraph ? igraph : "?"},
            {"nlohmann_json", std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." + std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                                  std::to_string(NLOHMANN_JSON_VERSION_PATCH)}};
}

}  // namespace kupffer::pipeline
