// The count stage: a sample's records -> UMI counts, cell calls and Cell Ranger-style outputs,
// written to <sample>/count.partial/ and moved into the sample folder, manifest last.
#include <cstdio>
#include <fstream>

#include "kupffer/align/records.hpp"
#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/pipeline/stages.hpp"
#include "kupffer/quant/h5_output.hpp"
#include "kupffer/quant/tenx_output.hpp"
#include "table.hpp"

namespace kupffer::pipeline {

namespace fs = std::filesystem;

quant::MultiGenePolicy parse_multi_gene(const std::string& name) {
    if (name == "discard") return quant::MultiGenePolicy::Discard;
    if (name == "em") return quant::MultiGenePolicy::Em;
    throw OptionError("--multi-gene must be discard or em, not '" + name + "'");
}

const char* to_string(quant::MultiGenePolicy policy) { return policy == quant::MultiGenePolicy::Em ? "em" : "discard"; }

void check(const CountStageOptions& o) {
    if (!(o.cells.fdr > 0 && o.cells.fdr <= 1)) throw OptionError("--emptydrops-fdr must be in (0, 1]");
    if (o.cells.iterations == 0) throw OptionError("--emptydrops-iterations must be at least 1");
    if (o.cells.expected_cells == 0) throw OptionError("--expect-cells must be at least 1");
}

const std::vector<std::string>& count_outputs() {
    static const std::vector<std::string> names = {
        "raw_feature_bc_matrix", "filtered_feature_bc_matrix", "raw_feature_bc_matrix.h5", "filtered_feature_bc_matrix.h5",
        "counts.h5ad",           "velocity",                   "cell_calls.tsv.gz",        "metrics_summary.csv",
        "metrics.json"};  // metrics.json last: a sample with it (and the manifest) is complete
    return names;
}

StageManifest count_manifest(const fs::path& sample_dir, const CountStageOptions& o) {
    StageManifest m;
    m.stage = "count";
    m.sample = sample_dir.filename().string();
    m.options = {{"include_introns", o.count.include_introns},
                 {"umi_method", o.count.umi_method == quant::UmiMethod::Exact ? "exact" : "directional"},
                 {"multi_gene", to_string(o.count.multi_gene)},
                 {"velocity", o.velocity},
                 {"expect_cells", o.cells.expected_cells},
                 {"emptydrops_lower", o.cells.lower},
                 {"emptydrops_iterations", o.cells.iterations},
                 {"emptydrops_fdr", o.cells.fdr},
                 {"seed", o.cells.seed}};
    m.inputs = nlohmann::json::array({fingerprint(sample_dir / "records.kpf", o.fingerprint)});
    if (fs::exists(sample_dir / "map_metrics.json")) m.inputs.push_back(fingerprint(sample_dir / "map_metrics.json", o.fingerprint));
    for (const auto& name : count_outputs())
        if (name != "velocity" || o.velocity) m.outputs.push_back(name);
    return m;
}

namespace {

std::uint64_t read_pairs_of(const fs::path& sample_dir) {
    const auto json = internal::read_json(sample_dir / "map_metrics.json", true);
    return json.is_object() ? json.value("read_pairs", std::uint64_t{0}) : 0;
}

void remove_earlier_outputs(const fs::path& sample_dir) {
    std::error_code ec;
    fs::remove(sample_dir / manifest_name("count"), ec);
    for (const auto& name : count_outputs()) fs::remove_all(sample_dir / name, ec);
    fs::remove_all(sample_dir / "count.partial", ec);
    if (ec) throw IoError(sample_dir.string(), "remove an earlier count's outputs from", ec.value());
}

std::string cell_calls_tsv(const std::vector<std::string>& barcodes, const quant::CountResults& counts,
                           const quant::CellCallingResults& cells) {
    std::string calls = "barcode\tumis\tcell\tordmag\temptydrops_pvalue\temptydrops_fdr\n";
    const auto totals = counts.counts.column_sums();
    char line[160];
    for (std::size_t c = 0; c < barcodes.size(); ++c) {
        std::snprintf(line, sizeof line, "%s-1\t%.0f\t%d\t%d\t%.6g\t%.6g\n", barcodes[c].c_str(), totals[c], cells.is_cell[c] ? 1 : 0,
                      totals[c] >= cells.ordmag_threshold ? 1 : 0, cells.pvalue[c], cells.fdr[c]);
        calls += line;
    }
    return calls;
}

/// Every count output into `dir` (a staging folder).
void write_count_outputs(const fs::path& dir, const quant::CountResults& counts, const quant::CellCallingResults& cells,
                         const quant::CountMetrics& metrics, const nlohmann::json& metrics_doc, bool velocity) {
    std::vector<std::string> barcodes, cell_barcodes, raw_labels, cell_labels;
    for (auto b : counts.barcodes) barcodes.push_back(dna::unpack(b, counts.barcode_length));
    for (std::size_t c = 0; c < barcodes.size(); ++c) {
        raw_labels.push_back(barcodes[c] + "-1");
        if (cells.is_cell[c]) cell_barcodes.push_back(barcodes[c]), cell_labels.push_back(barcodes[c] + "-1");
    }
    const auto filtered = quant::select_columns(counts.counts, cells.is_cell);
    quant::write_10x_mtx(dir / "raw_feature_bc_matrix", counts.counts, counts.gene_ids, counts.gene_names, barcodes);
    quant::write_10x_mtx(dir / "filtered_feature_bc_matrix", filtered, counts.gene_ids, counts.gene_names, cell_barcodes);
    quant::write_10x_h5(dir / "raw_feature_bc_matrix.h5", counts.counts, {counts.gene_ids, counts.gene_names, raw_labels});
    quant::write_10x_h5(dir / "filtered_feature_bc_matrix.h5", filtered, {counts.gene_ids, counts.gene_names, cell_labels});
    const auto spliced = quant::select_columns(counts.spliced, cells.is_cell);
    const auto unspliced = quant::select_columns(counts.unspliced, cells.is_cell);
    const auto ambiguous = quant::select_columns(counts.ambiguous, cells.is_cell);
    quant::write_h5ad(dir / "counts.h5ad", filtered, {counts.gene_ids, counts.gene_names, cell_labels},
                      {{"spliced", &spliced}, {"unspliced", &unspliced}, {"ambiguous", &ambiguous}});
    if (velocity)
        for (auto [name, m] : {std::pair{"spliced", &counts.spliced}, {"unspliced", &counts.unspliced}, {"ambiguous", &counts.ambiguous}})
            quant::write_10x_mtx(dir / "velocity" / name, *m, counts.gene_ids, counts.gene_names, barcodes);
    write_text_file(dir / "cell_calls.tsv.gz", cell_calls_tsv(barcodes, counts, cells));
    write_text_file(dir / "metrics_summary.csv", quant::metrics_csv(metrics));
    write_text_file(dir / "metrics.json", metrics_doc.dump(2) + "\n");
}

/// Moves the staged outputs into the sample folder in count_outputs()' order, then the manifest.
void move_into_place(const fs::path& staging, const fs::path& sample_dir, const StageManifest& manifest) {
    for (const auto& name : count_outputs()) {
        if (!fs::exists(staging / name)) continue;
        std::error_code ec;
        fs::rename(staging / name, sample_dir / name, ec);
        if (ec) throw IoError((sample_dir / name).string(), "move into place", ec.value());
    }
    write_manifest(sample_dir, manifest);
    std::error_code ec;
    fs::remove_all(staging, ec);
}

}  // namespace

CountStageResults run_count_sample(const fs::path& sample_dir, const CountStageOptions& o) {
    if (!fs::exists(sample_dir / "records.kpf"))
        throw OptionError((sample_dir / "records.kpf").string() + ": not found (run `kupffer map` for this sample first)");
    const auto manifest = count_manifest(sample_dir, o);
    remove_earlier_outputs(sample_dir);
    TemporaryFolder staging_folder(sample_dir / "count.partial");  // removed on an error or a signal
    const fs::path& staging = staging_folder.path();
    align::RecordReader records(sample_dir / "records.kpf");  // streamed: memory stays bounded
    auto count_options = o.count;
    const auto counts = quant::count_molecules(records, count_options);
    auto cell_options = o.cells;
    cell_options.threads = o.count.threads;
    const auto cells = quant::call_cells(counts.counts, cell_options);
    const auto metrics = quant::summarize(counts, cells, read_pairs_of(sample_dir));
    if (o.on_phase) o.on_phase("writing outputs");
    auto metrics_doc = nlohmann::json::parse(quant::metrics_json(metrics, counts));
    auto warnings = sample_alerts(sample_dir.filename().string(), nullptr, metrics_doc);
    metrics_doc["warnings"] = alert_messages(warnings);
    write_count_outputs(staging, counts, cells, metrics, metrics_doc, o.velocity);
    move_into_place(staging, sample_dir, manifest);
    return {counts.barcodes.size(), metrics, std::move(warnings)};
}

}  // namespace kupffer::pipeline
