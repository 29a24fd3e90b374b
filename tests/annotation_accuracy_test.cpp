// Counting on a real annotation (issue 14): reads simulated over the RefSeq annotation of human
// chr21 (overlapping, antisense, nested and readthrough genes), indexed, mapped and counted with
// introns and EM as a user would, then compared with the simulator's truth cell by cell.
// bench/annotation.sh runs the same at 2.5 M read pairs with STARsolo beside it (docs/align.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <unordered_map>

#include "kupffer/align/fastq_discovery.hpp"
#include "kupffer/align/map_sample.hpp"
#include "kupffer/core/dna.hpp"
#include "kupffer/core/matrix_market.hpp"
#include "kupffer/core/text_reader.hpp"
#include "kupffer/quant/count.hpp"
#include "kupffer/simulate/simulate.hpp"
#include "test_dir.hpp"

using namespace kupffer;
namespace fs = std::filesystem;

namespace {

struct Accuracy {
    double median_pearson = 0, umi_ratio = 0;
    std::size_t cells = 0;
};

/// Over the true cells, on the annotation's genes (the simulator's own catalogue genes, KPFG ids,
/// left out): per-cell Pearson with the true molecules and the counted share of them.
Accuracy compare(const fs::path& study, const std::string& sample, const quant::CountResults& counted) {
    const fs::path truth_dir = study / "truth/counts" / sample;
    const auto truth = read_matrix_market(truth_dir / "matrix.mtx.gz");
    std::vector<std::string> truth_genes;
    for (const auto& line : read_lines(truth_dir / "features.tsv.gz")) truth_genes.emplace_back(split(line, '\t')[0]);
    const auto truth_barcodes = read_lines(truth_dir / "barcodes.tsv.gz");
    std::unordered_map<std::string, std::uint32_t> our_row;
    for (std::uint32_t g = 0; g < counted.gene_ids.size(); ++g) our_row[counted.gene_ids[g]] = g;
    std::unordered_map<std::uint64_t, std::uint32_t> our_column;
    for (std::uint32_t c = 0; c < counted.barcodes.size(); ++c) our_column[counted.barcodes[c]] = c;
    std::map<std::string, bool> is_cell;
    for (const auto& line : read_lines(study / "truth/barcodes.tsv.gz")) {
        const auto f = split(line, '\t');
        if (f[0] == sample) is_cell[std::string(f[1])] = f[2] == "1";
    }
    std::vector<std::uint32_t> genes;  // truth rows of annotated genes
    for (std::uint32_t g = 0; g < truth_genes.size(); ++g)
        if (truth_genes[g].rfind("KPFG", 0) != 0) genes.push_back(g);
    std::vector<double> correlations;
    double true_total = 0, our_total = 0;
    std::vector<double> x(truth.n_rows), y(truth.n_rows);
    for (std::uint32_t t = 0; t < truth.n_cols; ++t) {
        const std::string barcode = truth_barcodes[t].substr(0, 16);
        if (!is_cell[barcode]) continue;
        std::fill(x.begin(), x.end(), 0.0), std::fill(y.begin(), y.end(), 0.0);
        for (std::size_t k = 0; k < truth.column_rows(t).size(); ++k) x[truth.column_rows(t)[k]] = truth.column_values(t)[k];
        if (auto c = our_column.find(*dna::pack(barcode)); c != our_column.end()) {
            const auto rows = counted.counts.column_rows(c->second);
            const auto values = counted.counts.column_values(c->second);
            std::vector<double> ours(counted.gene_ids.size(), 0.0);
            for (std::size_t k = 0; k < rows.size(); ++k) ours[rows[k]] = values[k];
            for (std::uint32_t g = 0; g < truth_genes.size(); ++g)
                if (auto r = our_row.find(truth_genes[g]); r != our_row.end()) y[g] = ours[r->second];
        }
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (auto g : genes) sx += x[g], sy += y[g], sxx += x[g] * x[g], syy += y[g] * y[g], sxy += x[g] * y[g];
        const double n = static_cast<double>(genes.size());
        true_total += sx, our_total += sy;
        correlations.push_back((n * sxy - sx * sy) / std::sqrt((n * sxx - sx * sx) * (n * syy - sy * sy)));
    }
    std::sort(correlations.begin(), correlations.end());
    return {correlations.empty() ? 0 : correlations[correlations.size() / 2], our_total / true_total, correlations.size()};
}

}  // namespace

TEST(AnnotationAccuracy, CountsReadsPlacedOnRealChr21GeneModels) {
    const fs::path gtf = test::shared_data("refseq_chr21/genes.gtf.gz");
    if (!fs::exists(gtf)) GTEST_SKIP() << gtf << " is missing (../shared/data beside the checkout)";
    test::TempDir dir;
    simulate::SimulateOptions so;
    so.seed = 21;
    so.threads = 2;
    so.gtf = gtf;
    so.groups = {"control"};
    so.animals_per_group = 1;
    so.cells = 250;
    so.reads_per_cell = 3000;
    so.whitelist_size = 20'000;
    so.read_truth = false;
    simulate::simulate(so, dir / "study");
    const fs::path study = dir / "study";

    const auto index = align::Index::build(study / "reference/genome.fa", study / "reference/genes.gtf", {});
    const auto sample = align::discover_fastqs(study / "run").front();
    align::MapSampleOptions mo;
    mo.whitelist = study / "whitelist.txt.gz";
    const auto mapped = align::map_sample(sample, index, mo);
    quant::CountOptions co;
    co.include_introns = true;
    co.multi_gene = quant::MultiGenePolicy::Em;
    const auto counted = quant::count_molecules(mapped.records, co);
    const auto a = compare(study, sample.name, counted);
    std::printf("chr21 genes: %zu cells, median Pearson %.4f, UMIs / truth %.4f; %llu of %llu reads multi-gene after EM\n",
                a.cells, a.median_pearson, a.umi_ratio, static_cast<unsigned long long>(counted.reads_multi_gene),
                static_cast<unsigned long long>(counted.reads));
    ASSERT_GT(a.cells, 200U);
    // Measured here: 0.991 and 0.954 (at 4,500 reads per cell, bench/annotation.sh: 0.996 and
    // 0.979, STARsolo GeneFull 0.968 and 0.890). What stays uncounted: UMIs with an N (dropped, as
    // Cell Ranger does) and molecules in exons shared by genes that the per-cell EM cannot tell
    // apart (at this depth, more molecules have a single read and a cell less evidence).
    EXPECT_GE(a.median_pearson, 0.985);
    EXPECT_GE(a.umi_ratio, 0.94);
    EXPECT_LE(a.umi_ratio, 1.02);
}
