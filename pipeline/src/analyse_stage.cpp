// The analyse stage: a study's samplesheet + count matrices -> OUT/analysis/ with its manifest.
#include "kupffer/cluster/analysis_output.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/pipeline/stages.hpp"

namespace kupffer::pipeline {

namespace fs = std::filesystem;

nlohmann::json analysis_parameters(const AnalyseStageOptions& options) {
    const auto& o = options.analysis;
    nlohmann::json panels = nlohmann::json::object();
    for (const auto& p : o.panels) panels[p.cell_type] = p.genes;
    return {
        {"matrix", options.matrix},
        {"qc", {{"mito_prefixes", o.qc.mito_prefixes}, {"mito_genes", o.qc.mito_genes}, {"nmads", o.qc.nmads}, {"keep_failures", o.keep_qc_failures}}},
        {"doublets",
         {{"scored", o.score_doublets}, {"removed", o.remove_doublets}, {"expected_rate", o.doublets.expected_rate},
          {"simulated_ratio", o.doublets.simulated_ratio}, {"method", "simulated doublets + kNN (Scrublet score)"}}},
        {"size_factors", cluster::to_string(o.size_factors)},
        {"hvg", {{"method", cluster::to_string(o.hvg_method)}, {"top", o.hvg.top}}},
        {"pca", {{"components", o.pca.components}, {"scale", o.pca.scale}}},
        {"integrate_by", o.integrate_by},
        {"neighbors", o.neighbors.k},
        {"neighbor_search", cluster::to_string(o.neighbors.method)},
        {"resolution", o.leiden.resolution},
        {"cluster_method", o.leiden.method == cluster::ClusterMethod::louvain ? "louvain" : "leiden"},
        {"umap_neighbors", o.umap_neighbors},
        {"panels", panels},
        {"trajectory", {{"start", o.trajectory_start}, {"end", o.trajectory_end}, {"genes", o.maturation.genes}, {"min_t", o.maturation.min_t}, {"max_rounds", o.maturation.max_rounds}}},
        {"cytokines",
         {{"genes", o.cytokines.genes}, {"min_cells", o.cytokines.min_cells}, {"min_replicates", o.cytokines.min_replicates},
          {"test", "pseudobulk per sample, NB GLM (common dispersion) + QL F-test, BH over all genes"}}},
        {"seed", o.seed}};
}

std::string samplesheet_csv(const cluster::Samplesheet& sheet) {
    auto line = [](const std::vector<std::string>& fields) {
        std::string out;
        for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + fields[i];
        return out + "\n";
    };
    std::string text = line(sheet.columns);
    for (const auto& row : sheet.rows) text += line(row);
    return text;
}

StageManifest analyse_manifest(const cluster::Samplesheet& sheet, const fs::path& samples_dir, const AnalyseStageOptions& options) {
    StageManifest m;
    m.stage = "analyse";
    m.options = analysis_parameters(options);
    m.options["samplesheet"] = samplesheet_csv(sheet);
    const auto sample_col = sheet.column("sample");
    for (const auto& row : sheet.rows)
        m.inputs.push_back({{"sample", row[sample_col]}, {"matrix", fingerprint(samples_dir / row[sample_col] / options.matrix, options.fingerprint)}});
    m.outputs = {"analysis.h5ad", "cells.tsv.gz", "clusters.tsv", "markers.tsv", "composition.tsv", "cytokines.tsv",
                 "cytokine_tests.tsv", "maturation.tsv", "maturation_tests.tsv", "composition_tests.tsv", "analysis_summary.json", "samplesheet.csv"};
    return m;
}

AnalyseStageResults run_analyse(const cluster::Samplesheet& sheet, const fs::path& samples_dir, const fs::path& out,
                                const AnalyseStageOptions& options) {
    const auto sample_col = sheet.column("sample");
    for (std::size_t i = 0; i < sheet.rows.size(); ++i) {
        const auto dir = samples_dir / sheet.rows[i][sample_col] / options.matrix;
        if (!fs::is_directory(dir))
            throw InputError(dir.string(), 0, "no such folder: sample '" + sheet.rows[i][sample_col] + "' (row " + std::to_string(i + 1) +
                                                  " of the samplesheet) has no count matrix (run `kupffer count`, or check the name)");
    }
    const auto manifest = analyse_manifest(sheet, samples_dir, options);
    const auto data = cluster::aggregate(sheet, {samples_dir, options.matrix});
    AnalyseStageResults r;
    r.cells = data.counts.n_cols;
    r.genes = data.counts.n_rows;
    r.results = cluster::analyse(data, options.analysis);
    cluster::AnalysisOutputOptions output;
    output.overwrite = options.overwrite;
    output.parameters = analysis_parameters(options);
    output.before_commit = [&](const fs::path& staging) {
        write_text_file(staging / "samplesheet.csv", samplesheet_csv(sheet));
        write_manifest(staging, manifest);
    };
    if (options.on_phase) options.on_phase("writing outputs");
    cluster::write_analysis(data, r.results, options.analysis, out, output);
    return r;
}

}  // namespace kupffer::pipeline
