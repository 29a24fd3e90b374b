// The map stage: one sample's FASTQs -> records.kpf, map_metrics.json (and a BAM), in a staged folder.
#include <algorithm>
#include <cmath>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/pipeline/stages.hpp"

namespace kupffer::pipeline {

namespace fs = std::filesystem;

void check(const MapStageOptions& o) {
    const double p = o.map.correction.min_posterior;
    if (!(p >= 0 && p <= 1)) throw OptionError("--min-posterior must be a probability in [0, 1], not " + std::to_string(p));
    if (!(o.records_memory_gb > 0) || !(o.bam_sort_memory_gb > 0))
        throw OptionError("--records-memory and --bam-sort-memory must be positive");
    if (!o.map.whitelist.empty() && !fs::exists(o.map.whitelist))
        throw OptionError(o.map.whitelist.string() + ": whitelist not found");
}

StageManifest map_manifest(const align::SampleFastqs& sample, const fs::path& index_dir, const MapStageOptions& o) {
    StageManifest m;
    m.stage = "map";
    m.sample = sample.name;
    m.options = {{"chemistry", o.map.chemistry},
                 {"whitelist", o.map.whitelist.empty() ? "inferred" : o.map.whitelist.string()},
                 {"min_posterior", o.map.correction.min_posterior},
                 {"bam", o.bam}};
    m.inputs = nlohmann::json::array();
    m.inputs.push_back({{"index", fingerprint(index_dir, o.fingerprint)}});
    if (!o.map.whitelist.empty()) m.inputs.push_back({{"whitelist", fingerprint(o.map.whitelist, o.fingerprint)}});
    for (const auto& lane : sample.lanes)
        m.inputs.push_back({{"lane", lane.lane}, {"r1", fingerprint(lane.r1, o.fingerprint)}, {"r2", fingerprint(lane.r2, o.fingerprint)}});
    m.outputs = {"records.kpf", "map_metrics.json"};
    if (o.bam) m.outputs.insert(m.outputs.end(), {"possorted_genome_bam.bam", "possorted_genome_bam.bam.bai"});
    return m;
}

MapStageResults run_map_sample(const align::SampleFastqs& sample, const align::Index& index, const fs::path& index_dir,
                               const fs::path& sample_dir, const MapStageOptions& o) {
    if (auto problem = sample_name_problem(sample.name)) throw OptionError("sample '" + sample.name + "': " + *problem);
    const auto manifest = map_manifest(sample, index_dir, o);
    StagingDirectory dir(sample_dir, o.overwrite);
    auto options = o.map;
    options.records = dir.staging() / "records.kpf";
    options.max_records_in_memory =
        std::max<std::size_t>(1024, static_cast<std::size_t>(o.records_memory_gb * double(1 << 30)) / sizeof(align::Record));
    if (o.bam) {
        options.bam = dir.staging() / "possorted_genome_bam.bam";
        options.bam_sort_memory = static_cast<std::size_t>(o.bam_sort_memory_gb * double(1 << 30));
    }
    auto results = align::map_sample(sample, index, options);
    auto metrics = nlohmann::json::parse(align::metrics_json(results.metrics));
    auto warnings = sample_alerts(sample.name, metrics, nullptr);
    metrics["warnings"] = alert_messages(warnings);
    write_text_file(dir.staging() / "map_metrics.json", metrics.dump(2) + "\n");
    write_manifest(dir.staging(), manifest);
    dir.commit();
    return {std::move(results.metrics), std::move(warnings)};
}

}  // namespace kupffer::pipeline
