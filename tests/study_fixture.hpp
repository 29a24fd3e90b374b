#pragma once
// The small simulated study the align and quant tests share: the CTest fixture's (written once by
// `kupffer simulate`, path in KUPFFER_TEST_STUDY) or, when a test binary runs by hand, one made
// here with the same options.
#include <cstdlib>
#include <filesystem>

#include "kupffer/align/index.hpp"
#include "kupffer/simulate/simulate.hpp"
#include "test_dir.hpp"

namespace kupffer::test {

inline simulate::SimulateOptions small_study_options(std::uint64_t seed = 11, int threads = 2) {
    simulate::SimulateOptions o;
    o.seed = seed;
    o.threads = threads;
    o.cells = 150;
    o.reads_per_cell = 1500;
    o.genes = 400;
    o.genome_size = 4'000'000;
    o.whitelist_size = 20'000;
    return o;
}

inline const std::filesystem::path& study_root() {
    static TempDir dir;
    static const std::filesystem::path root = [] {
        if (const char* given = std::getenv("KUPFFER_TEST_STUDY"); given && std::filesystem::exists(given))
            return std::filesystem::path(given);
        simulate::simulate(small_study_options(), dir / "study");
        return dir / "study";
    }();
    return root;
}

/// The study's reference, indexed once per test binary.
inline const align::Index& study_index() {
    static const align::Index index =
        align::Index::build(study_root() / "reference/genome.fa", study_root() / "reference/genes.gtf", {});
    return index;
}

}  // namespace kupffer::test
