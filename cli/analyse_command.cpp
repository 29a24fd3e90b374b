// `kupffer analyse`: a study's count matrices (samplesheet + sample folders) -> cell types,
// maturation and cytokines across treatment groups, in one analysis folder.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "kupffer/cluster/analyse.hpp"
#include "kupffer/cluster/analysis_output.hpp"
#include "kupffer/core/errors.hpp"

namespace kupffer::cli {

namespace fs = std::filesystem;

std::function<void()> add_analyse_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("analyse", "Analyse a study: QC, clusters, cell types, maturation, cytokines by group");
    cmd->alias("analyze");
    struct Args {
        std::string samplesheet, samples, out, matrix = "filtered_feature_bc_matrix", panels;
        std::vector<std::string> mito_prefixes = {"MT-", "mt-"};
        bool overwrite = false, no_rhesus_mito = false, no_doublets = false;
        std::string neighbor_search = "auto", cluster_method = "leiden";
        cluster::AnalysisOptions o = cluster::default_analysis_options();
    };
    auto args = std::make_shared<Args>();
    auto& o = args->o;
    cmd->add_option("--samplesheet,-s", args->samplesheet, "CSV with sample,group,timepoint,animal[,...]")->required()->check(CLI::ExistingFile);
    cmd->add_option("--samples,-i", args->samples, "Folder with <sample>/<matrix>/ for every sample (kupffer count or Cell Ranger)")
        ->required()
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--out,-o", args->out, "Analysis folder to write")->required();
    cmd->add_option("--matrix", args->matrix, "Matrix subfolder of each sample")->capture_default_str();
    cmd->add_option("--panels", args->panels, "Marker panels file (<type><TAB>gene,gene,...) instead of the built-in hepatic panels")
        ->check(CLI::ExistingFile);
    cmd->add_option("--mito-prefix", args->mito_prefixes, "Gene-name prefixes of mitochondrial genes")->delimiter(',')->capture_default_str();
    cmd->add_flag("--no-rhesus-mito", args->no_rhesus_mito, "Do not count the rhesus names (ND1, COX1, ...) as mitochondrial");
    cmd->add_option("--nmads", o.qc.nmads, "QC outlier threshold in MADs, per sample")->capture_default_str();
    cmd->add_flag("--keep-qc-failures", o.keep_qc_failures, "Analyse cells flagged by QC too");
    cmd->add_flag("--no-doublets", args->no_doublets, "Do not score doublets");
    cmd->add_flag("--remove-doublets", o.remove_doublets, "Leave predicted doublets out of the analysis (they stay in cells.tsv.gz)");
    cmd->add_option("--doublet-rate", o.doublets.expected_rate,
                    "Expected doublet fraction per sample (0 = 0.8% per 1,000 cells, as 10x's loading table)")
        ->capture_default_str();
    cmd->add_option("--size-factors", o.size_factors, "library (scuttle) or pooled (scran's deconvolution in quick clusters)")
        ->capture_default_str();
    cmd->add_option("--hvg-method", o.hvg_method, "modelgenevar (scran) or vst (Seurat)")->capture_default_str();
    cmd->add_option("--hvgs", o.hvg.top, "Highly variable genes")->capture_default_str();
    cmd->add_option("--pcs", o.pca.components, "Principal components")->capture_default_str();
    cmd->add_flag("--scale", o.pca.scale, "Scale genes to unit variance before PCA (Seurat's ScaleData)");
    cmd->add_option("--integrate-by", o.integrate_by, "Harmony-correct the PCs by this samplesheet column (e.g. animal)");
    cmd->add_option("--neighbors,-k", o.neighbors.k, "Neighbours for the SNN graph")->capture_default_str();
    cmd->add_option("--neighbor-search", args->neighbor_search, "auto (exact up to 20,000 cells, then HNSW), exact or hnsw")
        ->capture_default_str();
    cmd->add_option("--cluster-method", args->cluster_method, "leiden, or louvain (Seurat's default algorithm)")->capture_default_str();
    cmd->add_option("--resolution,-r", o.leiden.resolution, "Leiden resolution")->capture_default_str();
    cmd->add_option("--cytokines", o.cytokines.genes, "Cytokine panel")->delimiter(',')->capture_default_str();
    cmd->add_option("--min-cells", o.cytokines.min_cells, "Cells of a type a sample needs to enter its pseudobulk")->capture_default_str();
    cmd->add_option("--min-replicates", o.cytokines.min_replicates, "Samples a group needs to enter a test")->capture_default_str();
    cmd->add_option("--trajectory", o.trajectory_start, "Panel at the root of the maturation axis")->capture_default_str();
    cmd->add_option("--trajectory-end", o.trajectory_end, "Panel at the end of the maturation axis")->capture_default_str();
    cmd->add_option("--seed", o.seed, "Seed of every random step")->capture_default_str();
    cmd->add_option("--threads,-t", o.threads, "Worker threads (0 = all); never changes the output")->capture_default_str();
    cmd->add_flag("--overwrite", args->overwrite, "Replace an existing analysis folder");

    return [cmd, args] {
        if (!cmd->parsed()) return;
        auto& opt = args->o;
        opt.qc.mito_prefixes = args->mito_prefixes;
        if (args->no_rhesus_mito) opt.qc.mito_genes.clear();
        opt.score_doublets = !args->no_doublets;
        opt.neighbors.method = cluster::parse_neighbor_method(args->neighbor_search);
        opt.doublets.neighbors.method = opt.neighbors.method;
        opt.leiden.method = cluster::parse_cluster_method(args->cluster_method);
        if (opt.doublets.expected_rate < 0 || opt.doublets.expected_rate >= 1) throw OptionError("--doublet-rate must be in [0, 1)");
        if (!args->panels.empty()) opt.panels = cluster::read_marker_panels(args->panels);
        if (opt.size_factors != "library" && opt.size_factors != "pooled")
            throw OptionError("--size-factors must be library or pooled, not '" + opt.size_factors + "'");
        if (opt.hvg_method != "modelgenevar" && opt.hvg_method != "vst")
            throw OptionError("--hvg-method must be modelgenevar or vst, not '" + opt.hvg_method + "'");
        if (opt.leiden.resolution <= 0) throw OptionError("--resolution must be positive");
        if (opt.pca.components < 2) throw OptionError("--pcs must be at least 2");
        if (fs::exists(args->out) && !args->overwrite && !fs::is_empty(args->out))
            throw OptionError("output folder " + args->out + " exists and is not empty (use --overwrite)");
        const auto sheet = cluster::read_samplesheet(args->samplesheet);
        const auto data = cluster::aggregate(sheet, {args->samples, args->matrix});
        std::fprintf(stderr, "analyse: %zu samples, %u cells x %u genes\n", sheet.rows.size(), data.counts.n_cols, data.counts.n_rows);
        const auto results = cluster::analyse(data, opt);

        nlohmann::json panels = nlohmann::json::object();
        for (const auto& p : opt.panels) panels[p.cell_type] = p.genes;
        const nlohmann::json parameters = {
            {"software", "kupffer"}, {"version", KUPFFER_VERSION}, {"command", "analyse"},
            {"samplesheet", fs::absolute(args->samplesheet).string()}, {"samples", fs::absolute(args->samples).string()},
            {"matrix", args->matrix},
            {"qc", {{"mito_prefixes", opt.qc.mito_prefixes}, {"mito_genes", opt.qc.mito_genes}, {"nmads", opt.qc.nmads},
                    {"keep_failures", opt.keep_qc_failures}}},
            {"doublets", {{"scored", opt.score_doublets}, {"removed", opt.remove_doublets}, {"expected_rate", opt.doublets.expected_rate},
                          {"simulated_ratio", opt.doublets.simulated_ratio}, {"method", "simulated doublets + kNN (Scrublet score)"}}},
            {"size_factors", opt.size_factors},
            {"hvg", {{"method", opt.hvg_method}, {"top", opt.hvg.top}}},
            {"pca", {{"components", opt.pca.components}, {"scale", opt.pca.scale}}},
            {"integrate_by", opt.integrate_by},
            {"neighbors", opt.neighbors.k}, {"neighbor_search", cluster::to_string(opt.neighbors.method)}, {"resolution", opt.leiden.resolution}, {"cluster_method", args->cluster_method}, {"umap_neighbors", opt.umap_neighbors},
            {"panels", panels},
            {"trajectory", {{"start", opt.trajectory_start}, {"end", opt.trajectory_end}, {"hvgs", opt.trajectory_hvgs}, {"pcs", opt.trajectory_pcs}}},
            {"cytokines", {{"genes", opt.cytokines.genes}, {"min_cells", opt.cytokines.min_cells}, {"min_replicates", opt.cytokines.min_replicates},
                           {"test", "pseudobulk per sample, NB GLM (common dispersion) + QL F-test, BH over all genes"}}},
            {"seed", opt.seed}, {"threads", opt.threads}};
        cluster::write_analysis(data, results, opt, args->out, {.markers_per_cluster = 100, .overwrite = args->overwrite, .parameters = parameters});
        std::size_t types = 0;
        for (std::size_t k = 0; k < results.annotation.cluster_label.size(); ++k) types += results.annotation.cluster_label[k] != "unassigned";
        std::fprintf(stderr, "analyse: %u cells analysed (%zu left out by QC or as doublets, %zu predicted doublets), %zu clusters, %zu named; %zu group comparisons -> %s\n",
                     results.counts.n_cols, data.counts.n_cols - results.analysed.size(),
                     static_cast<std::size_t>(std::count(results.doublets.predicted.begin(), results.doublets.predicted.end(), true)),
                     results.annotation.cluster_label.size(), types,
                     results.cytokines.comparisons.size(), args->out.c_str());
        std::string steps;
        for (const auto& [step, seconds] : results.step_seconds) steps += " " + step + " " + std::to_string(seconds).substr(0, 5) + "s";
        std::fprintf(stderr, "analyse: time per step:%s\n", steps.c_str());
        for (const auto& note : results.notes) std::fprintf(stderr, "analyse: note: %s\n", note.c_str());
    };
}

}  // namespace kupffer::cli
