// 10x 5' runs end to end (simulated: molecules read from their 5' end, R2 antisense; the paired-end
// preset also maps R1's cDNA after the template switch oligo): the chemistry is detected, reads
// map, and the counts match the true molecules.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <unordered_map>

#include "kupffer/align/map_sample.hpp"
#include "kupffer/core/dna.hpp"
#include "kupffer/core/matrix_market.hpp"
#include "kupffer/core/text_reader.hpp"
#include "kupffer/quant/count.hpp"
#include "kupffer/simulate/simulate.hpp"
#include "study_fixture.hpp"
#include "test_dir.hpp"

using namespace kupffer;

TEST(FivePrime, PairedEndAndR2OnlyRunsAreDetectedMappedAndCounted) {
    for (const std::string chemistry : {"10x5pe", "10x5p"}) {
        test::TempDir dir;
        auto o = test::small_study_options(21);
        o.chemistry = chemistry;
        o.groups = {"ALF"};
        o.animals_per_group = 1;
        o.cells = 80;
        o.reads_per_cell = 1200;
        simulate::simulate(o, dir / "s");
        const auto index = align::Index::build(dir / "s/reference/genome.fa", dir / "s/reference/genes.gtf", {});
        const auto sample = align::discover_fastqs(dir / "s/run").front();
        align::MapSampleOptions mo;
        mo.whitelist = dir / "s/whitelist.txt.gz";
        const auto mapped = align::map_sample(sample, index, mo);
        const auto& m = mapped.metrics;
        EXPECT_EQ(m.chemistry, chemistry) << m.chemistry_reason;
        const double valid = static_cast<double>(m.barcode_exact + m.barcode_corrected);
        const double rate = static_cast<double>(m.mapped) / valid;
        quant::CountOptions co;
        co.include_introns = true;
        const auto counts = quant::count_molecules(mapped.records, co);
        // Per true cell, counts against the true molecules.
        const auto truth = read_matrix_market(dir / "s/truth/counts" / sample.name / "matrix.mtx.gz");
        const auto truth_barcodes = read_lines(dir / "s/truth/counts" / sample.name / "barcodes.tsv.gz");
        std::unordered_map<std::uint64_t, std::uint32_t> column;
        for (std::uint32_t i = 0; i < counts.barcodes.size(); ++i) column[counts.barcodes[i]] = i;
        std::map<std::string, bool> is_cell;
        for (const auto& line : read_lines(dir / "s/truth/barcodes.tsv.gz")) {
            const auto f = split(line, '\t');
            is_cell[std::string(f[1])] = f[2] == "1";
        }
        std::vector<double> r;
        double total_truth = 0, total = 0;
        for (std::uint32_t t = 0; t < truth.n_cols; ++t) {
            const std::string bc = truth_barcodes[t].substr(0, 16);
            if (!is_cell[bc]) continue;
            std::vector<double> x(truth.n_rows, 0), y(truth.n_rows, 0);
            auto rows = truth.column_rows(t);
            for (std::size_t k = 0; k < rows.size(); ++k) x[rows[k]] = truth.column_values(t)[k];
            if (auto it = column.find(*dna::pack(bc)); it != column.end()) {
                auto ours = counts.counts.column_rows(it->second);
                for (std::size_t k = 0; k < ours.size(); ++k) y[ours[k]] = counts.counts.column_values(it->second)[k];
            }
            double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
            for (std::size_t g = 0; g < x.size(); ++g) sx += x[g], sy += y[g], sxx += x[g] * x[g], syy += y[g] * y[g], sxy += x[g] * y[g];
            total_truth += sx, total += sy;
            const double n = static_cast<double>(x.size());
            r.push_back((n * sxy - sx * sy) / std::sqrt((n * sxx - sx * sx) * (n * syy - sy * sy)));
        }
        ASSERT_GT(r.size(), 50U);
        std::sort(r.begin(), r.end());
        std::printf("%s: %s; mapping rate %.4f, multi-gene %.4f; cells %zu, median Pearson r %.4f, UMIs / truth %.4f\n",
                    chemistry.c_str(), m.chemistry_reason.c_str(), rate, static_cast<double>(m.multi_gene) / static_cast<double>(m.mapped),
                    r.size(), r[r.size() / 2], total / total_truth);
        EXPECT_GT(rate, 0.9);
        EXPECT_GE(r[r.size() / 2], 0.99);
        EXPECT_NEAR(total / total_truth, 1.0, 0.03);
    }
}
