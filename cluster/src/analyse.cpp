#include "kupffer/cluster/analyse.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "internal.hpp"
#include "kupffer/cluster/maturation.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/statistics.hpp"
#include "kupffer/core/parallel.hpp"

namespace kupffer::cluster {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<std::string> pick(const std::vector<std::string>& v, const std::vector<std::uint32_t>& at) {
    std::vector<std::string> out;
    out.reserve(at.size());
    for (auto i : at) out.push_back(v[i]);
    return out;
}

std::size_t panel_index(const std::vector<MarkerPanel>& panels, const std::string& type) {
    const MarkerPanel* p = find_panel(panels, type);
    return p ? static_cast<std::size_t>(p - panels.data()) : panels.size();
}

/// scran::quickCluster's role: clusters of library-size-normalised cells (HVGs, PCA, SNN, Leiden),
/// those under the minimum size merged into the cluster with the nearest PC centroid.
std::vector<std::uint32_t> quick_clusters(const CountMatrix& counts, const AnalysisOptions& o) {
    const std::uint32_t n = counts.n_cols;
    const std::uint32_t min_size = std::max<std::uint32_t>(o.pooled.pool_sizes.empty() ? 1 : *std::min_element(o.pooled.pool_sizes.begin(), o.pooled.pool_sizes.end()),
                                                           std::min(o.quick_cluster_min_size, n));
    if (n < min_size) throw OptionError("analyse: pooled size factors need at least " + std::to_string(min_size) + " cells");
    const auto logcounts = log_normalize(counts).logcounts;
    const auto genes = model_gene_var(logcounts, o.hvg).selected;
    if (genes.size() < 2) return std::vector<std::uint32_t>(n, 0);
    PcaOptions pca = o.pca;
    pca.seed = o.seed;
    pca.threads = o.threads;
    pca.components = std::min<std::size_t>({pca.components, genes.size() - 1, n - 1});
    const auto scores = run_pca(logcounts, genes, pca).scores;
    NeighborOptions nn = o.neighbors;
    nn.k = std::min<std::uint32_t>(nn.k, n);
    nn.seed = o.seed;
    nn.threads = o.threads;
    LeidenOptions leiden_options = o.leiden;
    leiden_options.seed = o.seed;
    auto labels = leiden(n, shared_neighbor_graph(nearest_neighbors(scores, nn)), leiden_options);
    // Merge the smallest cluster under the minimum into the nearest centroid, until none is left.
    for (;;) {
        const std::uint32_t k = *std::max_element(labels.begin(), labels.end()) + 1;
        if (k == 1) break;
        std::vector<std::uint32_t> size(k, 0);
        Eigen::MatrixXd centroid = Eigen::MatrixXd::Zero(k, scores.cols());
        for (std::uint32_t c = 0; c < n; ++c) ++size[labels[c]], centroid.row(labels[c]) += scores.row(c);
        for (std::uint32_t a = 0; a < k; ++a) centroid.row(a) /= size[a];
        const auto smallest = static_cast<std::uint32_t>(std::min_element(size.begin(), size.end()) - size.begin());
        if (size[smallest] >= min_size) break;
        std::uint32_t into = smallest == 0 ? 1 : 0;
        for (std::uint32_t a = 0; a < k; ++a)
            if (a != smallest && (centroid.row(a) - centroid.row(smallest)).squaredNorm() < (centroid.row(into) - centroid.row(smallest)).squaredNorm())
                into = a;
        for (auto& l : labels) {
            if (l == smallest) l = into;
            if (l > smallest) --l;
        }
    }
    return labels;
}

/// The pseudotime of the axis cells (maturation.hpp): their own log-normalised counts, each cell's
/// sample, the panel score as the start of the fit; mitochondrial and ribosomal-protein genes left
/// out.
void axis_pseudotime(AnalysisResults& r, const Dataset& data, const AnalysisOptions& o) {
    const auto axis = log_normalize(select_columns(r.counts, r.trajectory_cells)).logcounts;
    std::vector<std::uint32_t> sample;
    std::vector<double> score;
    for (auto c : r.trajectory_cells) {
        sample.push_back(data.sample_of_cell[r.analysed[c]]);
        score.push_back(r.maturation_score[c]);
    }
    MaturationOptions mo = o.maturation;
    mo.hvg = o.hvg;
    for (std::uint32_t g = 0; g < r.counts.n_rows; ++g) {
        const auto& name = data.gene_names[g];
        if (r.qc.mito_gene[g] || name.rfind("RPL", 0) == 0 || name.rfind("RPS", 0) == 0) mo.excluded_genes.push_back(g);
    }
    const auto fit = maturation_trajectory(axis, sample, score, mo);
    for (std::size_t i = 0; i < r.trajectory_cells.size(); ++i) r.maturation_pseudotime[r.trajectory_cells[i]] = fit.pseudotime[i];
    r.notes.push_back("maturation: " + std::to_string(fit.genes.size()) + " genes weighted, " + std::to_string(fit.rounds) + " rounds");
}

/// Maturation: the cells whose cluster is named as either end of the monocyte -> macrophage axis
/// get the panel score difference and a pseudotime robust to samples and animals
/// (axis_pseudotime); the pseudotime's agreement with the panel score is reported (and a note
/// warns when it is weak).
void maturation_axis(AnalysisResults& r, const Dataset& data, const AnalysisOptions& o) {
    const std::uint32_t n = r.counts.n_cols;
    r.maturation_pseudotime.assign(n, kNaN);
    r.maturation_score.assign(n, kNaN);
    const std::size_t start = panel_index(o.panels, o.trajectory_start), end = panel_index(o.panels, o.trajectory_end);
    if (start == o.panels.size() || end == o.panels.size()) {
        r.notes.push_back("maturation: no panel named " + o.trajectory_start + " or " + o.trajectory_end);
        return;
    }
    for (std::uint32_t c = 0; c < n; ++c)
        if (r.cell_type[c] == o.trajectory_start || r.cell_type[c] == o.trajectory_end) r.trajectory_cells.push_back(c);
    const auto& scores = r.annotation.module.scores;
    // Monocytes mature into macrophages continuously, so clusters rarely split the axis where
    // the names change: within the axis, each cell takes the end whose panel scores higher.
    for (auto c : r.trajectory_cells) {
        r.maturation_score[c] = scores[end][c] - scores[start][c];
        r.cell_type[c] = r.maturation_score[c] > 0 ? o.trajectory_end : o.trajectory_start;
    }
    if (r.trajectory_cells.size() < 50)
        r.notes.push_back("maturation: " + std::to_string(r.trajectory_cells.size()) + " cells on the axis, too few for a pseudotime");
    else
        axis_pseudotime(r, data, o);
    if (r.trajectory_cells.empty()) return;
    std::vector<double> pseudotime, score;
    for (auto c : r.trajectory_cells) pseudotime.push_back(r.maturation_pseudotime[c]), score.push_back(r.maturation_score[c]);
    r.maturation_agreement = spearman(pseudotime, score);
    if (!(r.maturation_agreement >= 0.5))
        r.notes.push_back("maturation: the pseudotime agrees poorly with the macrophage-minus-monocyte panel score (Spearman " +
                          std::to_string(r.maturation_agreement).substr(0, 5) +
                          "): it may follow sample or animal differences rather than maturation; read maturation_score too");
}

}  // namespace

AnalysisOptions default_analysis_options() {
    AnalysisOptions o;
    o.qc.mito_genes = rhesus_mito_genes();
    return o;
}

SizeFactorMethod parse_size_factor_method(const std::string& name) {
    if (name == "library") return SizeFactorMethod::Library;
    if (name == "pooled") return SizeFactorMethod::Pooled;
    throw OptionError("size factors must be library or pooled, not '" + name + "'");
}

HvgMethod parse_hvg_method(const std::string& name) {
    if (name == "modelgenevar") return HvgMethod::ModelGeneVar;
    if (name == "vst") return HvgMethod::Vst;
    throw OptionError("the HVG method must be modelgenevar or vst, not '" + name + "'");
}

const char* to_string(SizeFactorMethod method) { return method == SizeFactorMethod::Pooled ? "pooled" : "library"; }
const char* to_string(HvgMethod method) { return method == HvgMethod::Vst ? "vst" : "modelgenevar"; }

namespace {

/// Cytokines, and samples of the samplesheet, that the data lacks.
void missing_data_warnings(const Dataset& data, const AnalysisOptions& o, std::vector<std::string>& warnings) {
    const std::set<std::string> names(data.gene_names.begin(), data.gene_names.end());
    std::string missing;
    for (const auto& g : o.cytokines.genes)
        if (!names.count(g)) missing += (missing.empty() ? "" : ", ") + g;
    if (!missing.empty())
        warnings.push_back("cytokine gene(s) not in the reference: " + missing + " (left out of cytokines.tsv; names are the GTF's gene_name)");
    std::vector<std::size_t> cells(data.sample_names.size(), 0);
    for (auto s : data.sample_of_cell)
        if (s < cells.size()) ++cells[s];
    for (std::size_t s = 0; s < cells.size(); ++s)
        if (cells[s] == 0) warnings.push_back("sample " + data.sample_names[s] + " has no cells: it is left out of every test");
}

}  // namespace

namespace {

/// One analysis, step by step: each step reads what the earlier ones left in `r`. Doublet scoring
/// runs alongside the cell analysis (it touches only r.doublets and its own notes) unless
/// `remove_doublets` makes its calls decide which cells are analysed.
class Analysis {
public:
    // The study columns are looked up first: a missing one fails before any work.
    Analysis(const Dataset& data, const AnalysisOptions& o)
        : data_(data), o_(o), group_(data.metadata_of(o.group_column)), timepoint_(data.metadata_of(o.timepoint_column)),
          sample_(data.metadata_of("sample")) {}

    AnalysisResults run() {
        missing_data_warnings(data_, o_, r_.warnings);
        // QC per sample; flagged cells are reported (cells.tsv) and left out unless asked.
        r_.qc = quality_control(data_.counts, data_.gene_names, data_.sample_of_cell, o_.qc);
        mark("qc");
        for (std::uint32_t c = 0; c < data_.counts.n_cols; ++c)
            if (o_.keep_qc_failures ? r_.qc.umis[c] > 0 : !r_.qc.discard[c]) candidates_.push_back(c);
        r_.doublets.score.assign(data_.counts.n_cols, kNaN);
        r_.doublets.predicted.assign(data_.counts.n_cols, false);
        if (o_.remove_doublets) {
            score_doublets();
            for (auto c : candidates_)
                if (!r_.doublets.predicted[c]) r_.analysed.push_back(c);
            last_ = std::chrono::steady_clock::now();
            analyse_cells();
        } else {
            r_.analysed = candidates_;
            run_concurrently(o_.threads, [this] { score_doublets(); }, [this] { analyse_cells(); });
        }
        r_.step_seconds.insert(r_.step_seconds.begin() + 1,
                               {o_.remove_doublets ? "doublets" : "doublets (concurrent)", doublet_seconds_});
        r_.notes.insert(r_.notes.begin(), doublet_notes_.begin(), doublet_notes_.end());
        return std::move(r_);
    }

private:
    void mark(const char* step) {
        const auto now = std::chrono::steady_clock::now();
        r_.step_seconds.emplace_back(step, std::chrono::duration<double>(now - last_).count());
        last_ = now;
    }

    /// Doublets per sample among the QC-passing cells; predicted ones stay in unless asked to remove them.
    void score_doublets() {
        const auto begin = std::chrono::steady_clock::now();
        if (o_.score_doublets && !candidates_.empty()) {
            const std::uint32_t samples = *std::max_element(data_.sample_of_cell.begin(), data_.sample_of_cell.end()) + 1;
            std::vector<std::uint32_t> sample_of;
            for (auto c : candidates_) sample_of.push_back(data_.sample_of_cell[c]);
            DoubletOptions d = o_.doublets;
            d.seed = o_.seed;
            d.threads = o_.threads;
            const auto scored = doublet_scores(select_columns(data_.counts, candidates_), sample_of, samples, d);
            for (std::size_t i = 0; i < candidates_.size(); ++i) {
                r_.doublets.score[candidates_[i]] = scored.score[i];
                r_.doublets.predicted[candidates_[i]] = scored.predicted[i];
            }
            r_.doublets.threshold = scored.threshold;
            r_.doublets.rate = scored.rate;
            r_.doublets.detectable = scored.detectable;
            r_.doublets.implied_rate = scored.implied_rate;
            doublet_notes_ = scored.notes;
        }
        doublet_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    }

    void analyse_cells() {
        if (r_.analysed.size() < 30)
            throw OptionError("analyse: only " + std::to_string(r_.analysed.size()) + " cells pass QC; at least 30 are needed");
        r_.counts = select_columns(data_.counts, r_.analysed);
        normalise();
        mark("normalise+hvg");
        reduce();
        mark("pca");
        cluster_cells();
        mark("neighbours+leiden");
        embed();
        mark("umap");
        r_.markers = find_markers(r_.normalized.logcounts, r_.clusters, {.threads = o_.threads});
        mark("markers");
        annotate();
        mark("annotation");
        maturation_axis(r_, data_, o_);
        mark("maturation");
        compare_groups();
        mark("cytokines");
    }

    /// Size factors (pooled over quick clusters, or library size), log-normalisation, variable genes.
    void normalise() {
        if (o_.size_factors == SizeFactorMethod::Pooled) {
            r_.quick_clusters = quick_clusters(r_.counts, o_);
            PooledSizeFactorOptions pooled = o_.pooled;
            pooled.threads = o_.threads;
            const auto factors = pooled_size_factors(r_.counts, r_.quick_clusters, pooled);
            r_.normalized = log_normalize(r_.counts, {.size_factors = factors.size_factors});
            r_.notes.push_back("pooled size factors in " +
                               std::to_string(*std::max_element(r_.quick_clusters.begin(), r_.quick_clusters.end()) + 1) +
                               " quick clusters, " + std::to_string(factors.genes_used) + " genes" +
                               (factors.replaced ? ", " + std::to_string(factors.replaced) + " non-positive estimates replaced" : ""));
        } else {
            r_.normalized = log_normalize(r_.counts);
        }
        r_.hvg = o_.hvg_method == HvgMethod::Vst ? seurat_vst(r_.counts, o_.hvg) : model_gene_var(r_.normalized.logcounts, o_.hvg);
        if (r_.hvg.selected.size() < 2) throw OptionError("analyse: fewer than two variable genes");
    }

    /// PCA on the variable genes, then Harmony by `integrate_by` when asked: r.embedding.
    void reduce() {
        const std::uint32_t n = r_.counts.n_cols;
        PcaOptions pca = o_.pca;
        pca.seed = o_.seed;
        pca.threads = o_.threads;
        pca.components = std::min<std::size_t>({pca.components, r_.hvg.selected.size() - 1, n - 1});
        if (pca.components < o_.pca.components)
            r_.warnings.push_back("--pcs " + std::to_string(o_.pca.components) + " is more than " +
                                  std::to_string(r_.hvg.selected.size()) + " variable genes and " + std::to_string(n) +
                                  " cells allow: " + std::to_string(pca.components) + " principal components used");
        r_.pca = run_pca(r_.normalized.logcounts, r_.hvg.selected, pca);
        r_.embedding = r_.pca.scores;
        if (o_.integrate_by.empty()) return;
        const auto by = data_.metadata_of(o_.integrate_by);
        std::map<std::string, std::uint32_t> id;
        std::vector<std::uint32_t> batch;
        for (auto c : r_.analysed) batch.push_back(id.try_emplace(by[c], static_cast<std::uint32_t>(id.size())).first->second);
        HarmonyOptions h = o_.harmony;
        h.seed = o_.seed;
        const auto corrected = harmony(r_.pca.scores, batch, h);
        r_.embedding = corrected.corrected;
        r_.notes.push_back("harmony by " + o_.integrate_by + ": " + std::to_string(id.size()) + " batches, " +
                           std::to_string(corrected.iterations) + " rounds" + (corrected.converged ? "" : " (not converged)"));
    }

    NeighborOptions neighbour_options(std::uint32_t k) const {
        NeighborOptions nn = o_.neighbors;
        nn.threads = o_.threads;
        nn.k = std::min<std::uint32_t>(k, r_.counts.n_cols);
        nn.seed = o_.seed;
        return nn;
    }

    /// Leiden on the shared-neighbour graph of the embedding.
    void cluster_cells() {
        const auto nn = nearest_neighbors(r_.embedding, neighbour_options(o_.neighbors.k));
        LeidenOptions leiden_options = o_.leiden;
        leiden_options.seed = o_.seed;
        r_.clusters = leiden(r_.counts.n_cols, shared_neighbor_graph(nn), leiden_options);
    }

    void embed() {
        UmapOptions umap_options = o_.umap;
        umap_options.seed = o_.seed;
        umap_options.threads = o_.threads;
        const auto umap_nn = nearest_neighbors(r_.embedding, neighbour_options(o_.umap_neighbors));
        r_.umap = umap(r_.embedding, umap_nn, umap_options);
    }

    /// Cell types from the marker panels, cluster by cluster.
    void annotate() {
        AnnotateOptions annotate_options = o_.annotate;
        annotate_options.scores.seed = o_.seed;
        annotate_options.scores.threads = o_.threads;
        r_.annotation = annotate_cells(r_.normalized.logcounts, data_.gene_names, r_.clusters, o_.panels, annotate_options);
        for (auto k : r_.clusters) r_.cell_type.push_back(r_.annotation.cluster_label[k]);
    }

    /// Cytokines by cell type between groups (per timepoint), animals as replicates.
    void compare_groups() {
        CellDesign design{r_.cell_type, pick(group_, r_.analysed), pick(timepoint_, r_.analysed), pick(sample_, r_.analysed), {}};
        design.group_order = internal::distinct(group_);  // samplesheet order; the first is the reference
        CytokineOptions cyto = o_.cytokines;
        cyto.ql.threads = o_.threads;
        r_.cytokines = compare_cytokines(r_.counts, r_.normalized.logcounts, data_.gene_names, design, cyto);
        for (const auto& s : r_.cytokines.skipped) r_.notes.push_back("cytokine test skipped: " + s);
    }

    const Dataset& data_;
    const AnalysisOptions& o_;
    const std::vector<std::string> group_, timepoint_, sample_;  // per cell of the dataset
    AnalysisResults r_;
    std::vector<std::uint32_t> candidates_;  // cells past QC (or every cell with UMIs, keep_qc_failures)
    std::vector<std::string> doublet_notes_;
    double doublet_seconds_ = 0;
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace

AnalysisResults analyse(const Dataset& data, const AnalysisOptions& o) {
    if (data.counts.n_cols == 0) throw OptionError("analyse: the dataset has no cells");
    return Analysis(data, o).run();
}

}  // namespace kupffer::cluster
