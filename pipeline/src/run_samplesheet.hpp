#pragma once
// The samplesheet of `kupffer run`: sample,group,timepoint,animal[,more], optionally with
// fastq_1,fastq_2 where repeated sample rows are lanes (nf-core's convention). Every problem is
// collected with its line; the analysis gets one row per sample without the FASTQ columns.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "kupffer/align/fastq_discovery.hpp"
#include "kupffer/cluster/aggregate.hpp"
#include "kupffer/pipeline/descriptor.hpp"

namespace kupffer::pipeline::internal {

struct RunSamplesheet {
    cluster::Samplesheet sheet;                                ///< one row per sample, in first-appearance order
    std::map<std::string, std::vector<align::LaneFiles>> lanes; ///< from fastq_1/fastq_2 columns
    std::map<std::string, std::size_t> line_of;                ///< first line of each sample
};

/// Reads the sheet; relative FASTQ paths resolve against the sheet's folder.
RunSamplesheet read_run_samplesheet(const std::filesystem::path& path, std::vector<Problem>& problems);

/// Merges every run folder's samples by name (lanes appended in folder order).
std::map<std::string, align::SampleFastqs> discover_run_folders(const std::vector<std::filesystem::path>& folders,
                                                                std::vector<Problem>& problems);

}  // namespace kupffer::pipeline::internal
