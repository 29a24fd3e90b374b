#pragma once
// The workflow descriptor: one YAML file describing a study for `kupffer run` (the reference, the
// run folders or a samplesheet with FASTQ paths, the sample metadata, each stage's parameters,
// threads and the output folder). workflows/kupffer.schema.json is the one definition of its keys,
// types and ranges: the validator below walks the schema, so its messages and the Nextflow
// pipeline's checks come from the same file. Everything is checked before any work starts, and
// every problem is reported at once with its file, line and column.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kupffer/align/fastq_discovery.hpp"
#include "kupffer/cluster/aggregate.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/pipeline/stages.hpp"

namespace kupffer::pipeline {

/// One thing wrong with a descriptor or a file it names (line and column 1-based; 0 = unknown).
struct Problem {
    std::string file;
    std::size_t line = 0, column = 0;
    std::string message;
    /// "file:line:column: message"
    std::string to_string() const;
};

/// Every problem found in a descriptor; what() lists them one per line.
class DescriptorError : public OptionError {
public:
    explicit DescriptorError(std::vector<Problem> problems);
    const std::vector<Problem>& problems() const noexcept { return problems_; }

private:
    std::vector<Problem> problems_;
};

/// The schema shipped in workflows/kupffer.schema.json (compiled in).
const nlohmann::json& descriptor_schema();

/// A validated descriptor with every path absolute, ready for `kupffer run`.
struct Study {
    std::filesystem::path descriptor;  ///< the YAML it came from
    std::filesystem::path output;
    std::filesystem::path genome, gtf;  ///< to build OUT/index/ ...
    std::filesystem::path index;        ///< ... or this built index
    std::vector<std::filesystem::path> fastq_folders;
    std::filesystem::path samplesheet;
    cluster::Samplesheet sheet;               ///< one row per sample: sample,group,timepoint,animal[,...]
    std::vector<align::SampleFastqs> samples; ///< in sheet order, lanes of every folder merged by name
    std::vector<std::string> notes;           ///< e.g. samples of the run folders not in the sheet
    int threads = 0;
    int parallel_samples = 0;  ///< 0 = automatic
    IndexStageOptions index_options;
    MapStageOptions map_options;
    CountStageOptions count_options;
    AnalyseStageOptions analyse_options;
    nlohmann::ordered_json resolved;  ///< the descriptor with absolute paths and every default filled in
};

/// Reads and validates a descriptor file; DescriptorError with every problem found.
Study load_descriptor(const std::filesystem::path& path);

/// Validates descriptor text; relative paths resolve against `base_dir`; `name` stands for the
/// file in messages.
Study parse_descriptor(const std::string& yaml_text, const std::string& name, const std::filesystem::path& base_dir);

/// `kupffer run` without a descriptor, straight on a sequencer's output folder.
struct DirectRun {
    std::vector<std::filesystem::path> fastqs;  ///< run folders
    std::filesystem::path genome, gtf, index, samplesheet, whitelist, output;
    std::string chemistry = "auto";
};
/// The same checks as a descriptor's (relative paths from the current folder); problems name the
/// flag, not a line.
Study study_from_direct_run(const DirectRun& run);

/// The resolved descriptor as YAML (OUT/kupffer.yaml: `kupffer run OUT/kupffer.yaml` repeats the run).
std::string resolved_yaml(const Study& study);

/// Key suggestions: the candidate nearest to `key` by edit distance, if close enough.
std::string nearest_key(const std::string& key, const std::vector<std::string>& candidates);

}  // namespace kupffer::pipeline
