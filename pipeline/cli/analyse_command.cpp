// `kupffer analyse`: a study's count matrices (samplesheet + sample folders) -> cell types,
// maturation and cytokines across treatment groups, in one analysis folder.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "commands.hpp"
#include "kupffer/cluster/annotate.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/pipeline/stages.hpp"

namespace kupffer::cli {

namespace fs = std::filesystem;

namespace {

struct AnalyseArgs {
    std::string samplesheet, samples, out, panels;
    std::vector<std::string> mito_prefixes = {"MT-", "mt-"};
    bool no_rhesus_mito = false, no_doublets = false;
    std::string neighbor_search = "auto", cluster_method = "leiden", size_factors = "library", hvg_method = "modelgenevar";
    pipeline::AnalyseStageOptions options;
};

/// The string choices of the flags onto the library's enums and lists (OptionError if unknown).
void resolve(AnalyseArgs& a) {
    auto& o = a.options.analysis;
    o.qc.mito_prefixes = a.mito_prefixes;
    if (a.no_rhesus_mito) o.qc.mito_genes.clear();
    o.score_doublets = !a.no_doublets;
    o.neighbors.method = o.doublets.neighbors.method = cluster::parse_neighbor_method(a.neighbor_search);
    o.leiden.method = cluster::parse_cluster_method(a.cluster_method);
    o.size_factors = cluster::parse_size_factor_method(a.size_factors);
    o.hvg_method = cluster::parse_hvg_method(a.hvg_method);
    if (o.doublets.expected_rate < 0 || o.doublets.expected_rate >= 1) throw OptionError("--doublet-rate must be in [0, 1)");
    if (!a.panels.empty()) o.panels = cluster::read_marker_panels(a.panels);
    if (o.leiden.resolution <= 0) throw OptionError("--resolution must be positive");
    if (o.pca.components < 2) throw OptionError("--pcs must be at least 2");
    if (!(o.qc.nmads > 0)) throw OptionError("--nmads must be positive (how many MADs from each sample's median flag a cell)");
    for (const auto& [flag, name] : {std::pair{"--trajectory", o.trajectory_start}, {"--trajectory-end", o.trajectory_end}})
        if (!cluster::find_panel(o.panels, name))
            throw OptionError(std::string(flag) + ": no marker panel named '" + name + "' (panels: " + cluster::panel_names(o.panels) + ")");
}

void print_results(const pipeline::AnalyseStageResults& a, const std::string& out) {
    const auto& r = a.results;
    std::size_t types = 0;
    for (const auto& label : r.annotation.cluster_label) types += label != "unassigned";
    std::fprintf(stderr, "analyse: %u cells analysed (%zu left out by QC or as doublets, %zu predicted doublets), %zu clusters, %zu named; %zu group comparisons -> %s\n",
                 r.counts.n_cols, a.cells - r.analysed.size(),
                 static_cast<std::size_t>(std::count(r.doublets.predicted.begin(), r.doublets.predicted.end(), true)),
                 r.annotation.cluster_label.size(), types, r.cytokines.comparisons.size(), out.c_str());
    std::string steps;
    for (const auto& [step, seconds] : r.step_seconds) steps += " " + step + " " + std::to_string(seconds).substr(0, 5) + "s";
    std::fprintf(stderr, "analyse: time per step:%s\n", steps.c_str());
    for (const auto& note : r.notes) std::fprintf(stderr, "analyse: note: %s\n", note.c_str());
    for (const auto& warning : r.warnings) std::fprintf(stderr, "kupffer analyse: warning: %s\n", warning.c_str());
}

}  // namespace

std::function<void()> add_analyse_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("analyse", "Analyse a study: QC, clusters, cell types, maturation, cytokines by group");
    cmd->alias("analyze");
    auto args = std::make_shared<AnalyseArgs>();
    auto& o = args->options.analysis;
    cmd->add_option("--samplesheet,-s", args->samplesheet, "CSV with sample,group,timepoint,animal[,...]")->required()->check(CLI::ExistingFile);
    cmd->add_option("--samples,-i", args->samples, "Folder with <sample>/<matrix>/ for every sample (kupffer count or Cell Ranger)")
        ->required()
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--out,-o", args->out, "Analysis folder to write")->required();
    cmd->add_option("--matrix", args->options.matrix, "Matrix subfolder of each sample")->capture_default_str();
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
    cmd->add_option("--size-factors", args->size_factors, "library (scuttle) or pooled (scran's deconvolution in quick clusters)")
        ->capture_default_str();
    cmd->add_option("--hvg-method", args->hvg_method, "modelgenevar (scran) or vst (Seurat)")->capture_default_str();
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
    add_threads_option(cmd, o.threads);
    cmd->add_flag("--overwrite", args->options.overwrite, "Replace an existing analysis folder");

    return [cmd, args] {
        if (!cmd->parsed()) return;
        resolve(*args);
        if (fs::exists(args->out) && !args->options.overwrite && !fs::is_empty(args->out))
            throw OptionError("output folder " + args->out + " exists and is not empty (use --overwrite)");
        const auto sheet = cluster::read_samplesheet(args->samplesheet);
        std::fprintf(stderr, "analyse: %zu samples\n", sheet.rows.size());
        const auto r = pipeline::run_analyse(sheet, args->samples, args->out, args->options);
        print_results(r, args->out);
    };
}

}  // namespace kupffer::cli
