// The index stage: genome FASTA + GTF -> a saved k-mer index with its manifest.
#include "kupffer/pipeline/stages.hpp"

namespace kupffer::pipeline {

namespace fs = std::filesystem;

StageManifest index_manifest(const fs::path& genome, const fs::path& gtf, const IndexStageOptions& options) {
    StageManifest m;
    m.stage = "index";
    m.options = {{"k", options.index.k}};
    m.inputs = nlohmann::json::array({fingerprint(genome, options.fingerprint), fingerprint(gtf, options.fingerprint)});
    m.outputs = {"index.json", "kmers.bin"};
    return m;
}

IndexStageResults run_index(const fs::path& genome, const fs::path& gtf, const fs::path& out, const IndexStageOptions& options) {
    const auto manifest = index_manifest(genome, gtf, options);
    const auto index = align::Index::build(genome, gtf, options.index);
    index.save(out, options.index.overwrite, [&](const fs::path& staging) { write_manifest(staging, manifest); });
    return {index.gene_ids().size(), index.targets().size(), index.distinct_kmers(), index.k()};
}

}  // namespace kupffer::pipeline
