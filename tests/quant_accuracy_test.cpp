// quant against the simulator's truth: counts per cell and cell calls.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <unordered_map>

#include "kupffer/align/map_sample.hpp"
#include "kupffer/core/dna.hpp"
#include "kupffer/core/matrix_market.hpp"
#include "kupffer/core/text_reader.hpp"
#include "kupffer/quant/cell_calling.hpp"
#include "kupffer/quant/count.hpp"
#include "kupffer/simulate/simulate.hpp"
#include "study_fixture.hpp"
#include "test_dir.hpp"

using namespace kupffer;
namespace fs = std::filesystem;

namespace {
using test::study_root;

struct Counted {
    std::string sample;
    align::RecordFile records;
    quant::CountResults counts;
};

const Counted& counted() {
    static const Counted c = [] {
        const auto index = align::Index::build(study_root() / "reference/genome.fa", study_root() / "reference/genes.gtf", {});
        const auto sample = align::discover_fastqs(study_root() / "run").front();
        align::MapSampleOptions mo;
        mo.whitelist = study_root() / "whitelist.txt.gz";
        const auto mapped = align::map_sample(sample, index, mo);
        quant::CountOptions co;
        co.include_introns = true;
        auto counts = quant::count_molecules(mapped.records, co);
        return Counted{sample.name, mapped.records, std::move(counts)};
    }();
    return c;
}
}  // namespace

TEST(QuantAccuracy, CountsMatchTheTrueMoleculesPerCell) {
    const auto& c = counted();
    const auto truth = read_matrix_market(study_root() / "truth/counts" / c.sample / "matrix.mtx.gz");
    const auto truth_barcodes = read_lines(study_root() / "truth/counts" / c.sample / "barcodes.tsv.gz");
    std::unordered_map<std::uint64_t, std::uint32_t> column;
    for (std::uint32_t i = 0; i < c.counts.barcodes.size(); ++i) column[c.counts.barcodes[i]] = i;
    std::map<std::string, bool> is_cell;
    for (const auto& line : read_lines(study_root() / "truth/barcodes.tsv.gz")) {
        const auto f = split(line, '\t');
        if (f[0] == c.sample) is_cell[std::string(f[1])] = f[2] == "1";
    }
    std::vector<double> correlations;
    double total_truth = 0, total_ours = 0;
    const std::uint32_t genes = truth.n_rows;
    for (std::uint32_t t = 0; t < truth.n_cols; ++t) {
        const std::string bc = truth_barcodes[t].substr(0, 16);
        if (!is_cell[bc]) continue;
        std::vector<double> x(genes, 0), y(genes, 0);
        auto rows = truth.column_rows(t);
        for (std::size_t k = 0; k < rows.size(); ++k) x[rows[k]] = truth.column_values(t)[k];
        if (auto it = column.find(*dna::pack(bc)); it != column.end()) {
            auto r2 = c.counts.counts.column_rows(it->second);
            for (std::size_t k = 0; k < r2.size(); ++k) y[r2[k]] = c.counts.counts.column_values(it->second)[k];
        }
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (std::uint32_t g = 0; g < genes; ++g) {
            sx += x[g], sy += y[g], sxx += x[g] * x[g], syy += y[g] * y[g], sxy += x[g] * y[g];
        }
        total_truth += sx;
        total_ours += sy;
        const double n = genes;
        correlations.push_back((n * sxy - sx * sy) / std::sqrt((n * sxx - sx * sx) * (n * syy - sy * sy)));
    }
    ASSERT_GT(correlations.size(), 100U);
    std::sort(correlations.begin(), correlations.end());
    const double median = correlations[correlations.size() / 2];
    const double ratio = total_ours / total_truth;
    std::printf("cells %zu, median Pearson r %.4f, total UMIs / truth %.4f\n", correlations.size(), median, ratio);
    EXPECT_GE(median, 0.99);
    EXPECT_NEAR(ratio, 1.0, 0.02);
}

TEST(QuantAccuracy, CallsTheTrueCells) {
    const auto& c = counted();
    quant::CellCallingOptions o;
    o.iterations = 3000;
    const auto calls = quant::call_cells(c.counts.counts, o);
    std::map<std::uint64_t, bool> truth;
    for (const auto& line : read_lines(study_root() / "truth/barcodes.tsv.gz")) {
        const auto f = split(line, '\t');
        if (f[0] == c.sample) truth[*dna::pack(f[1])] = f[2] == "1";
    }
    std::size_t tp = 0, fp = 0, fn = 0;
    for (std::uint32_t i = 0; i < c.counts.barcodes.size(); ++i) {
        const bool t = truth[c.counts.barcodes[i]];
        tp += t && calls.is_cell[i];
        fp += !t && calls.is_cell[i];
        fn += t && !calls.is_cell[i];
    }
    for (auto& [bc, t] : truth)
        if (t && std::find(c.counts.barcodes.begin(), c.counts.barcodes.end(), bc) == c.counts.barcodes.end()) ++fn;
    const double f1 = 2.0 * static_cast<double>(tp) / static_cast<double>(2 * tp + fp + fn);
    std::printf("cell calling: %zu true, %zu false positives, %zu missed (OrdMag %u + EmptyDrops %u), F1 %.4f\n", tp, fp, fn,
                calls.ordmag_cells, calls.emptydrops_cells, f1);
    EXPECT_GE(f1, 0.98);
}

TEST(QuantAccuracy, CountingAStreamedFileInSmallBlocksGivesTheSameMatrices) {
    // Bounded memory: `kupffer count` streams records.kpf a block at a time. Blocks far smaller
    // than a barcode (one record) and of an odd size must give exactly the in-memory result.
    const auto& c = counted();
    test::TempDir dir;
    align::write_records(dir / "records.kpf", c.records);
    for (std::size_t block : {std::size_t{1}, std::size_t{997}, std::size_t{1} << 22}) {
        align::RecordReader reader(dir / "records.kpf");
        quant::CountOptions co;
        co.include_introns = true;
        co.block_records = block;
        std::vector<std::pair<std::uint64_t, double>> progress;  // (records read, share of the file)
        co.on_progress = [&](std::uint64_t records, double fraction) { progress.emplace_back(records, fraction); };
        const auto s = quant::count_molecules(reader, co);
        EXPECT_EQ(s.barcodes, c.counts.barcodes) << block;
        EXPECT_EQ(progress.back().first, c.records.records.size()) << block;
        EXPECT_EQ(progress.back().second, 1.0) << block;
        for (std::size_t i = 1; i < progress.size(); ++i) EXPECT_GT(progress[i].first, progress[i - 1].first);
        EXPECT_EQ(s.barcode_reads, c.counts.barcode_reads) << block;
        EXPECT_EQ(s.reads, c.counts.reads);
        EXPECT_EQ(s.umis_merged, c.counts.umis_merged);
        for (auto [a, b] : {std::pair{&s.counts, &c.counts.counts}, {&s.spliced, &c.counts.spliced}, {&s.unspliced, &c.counts.unspliced},
                            {&s.ambiguous, &c.counts.ambiguous}}) {
            EXPECT_EQ(a->n_rows, b->n_rows);
            EXPECT_EQ(a->n_cols, b->n_cols);
            EXPECT_EQ(a->col_offsets, b->col_offsets) << block;
            EXPECT_EQ(a->row_indices, b->row_indices) << block;
            EXPECT_EQ(a->values, b->values) << block;
        }
    }
}
