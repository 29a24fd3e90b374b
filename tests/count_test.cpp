#include "kupffer/quant/count.hpp"

#include <gtest/gtest.h>

#include "kupffer/core/dna.hpp"

using namespace kupffer;
using namespace kupffer::quant;
using align::Record;

namespace {
std::uint64_t u(const std::string& s) { return *dna::pack(s); }
align::RecordFile file_with(std::vector<Record> records, std::vector<std::vector<std::uint32_t>> classes) {
    align::RecordFile f;
    f.barcode_length = 4;
    f.umi_length = 4;
    f.gene_ids = {"G0", "G1", "G2"};
    f.gene_names = {"A", "B", "C"};
    f.eq_classes = std::move(classes);
    f.records = std::move(records);
    align::canonicalize(f);
    return f;
}
}  // namespace

TEST(Directional, MergesErrorsIntoAbundantNeighboursOnly) {
    // UMI-tools' example shape: ACGT (456 reads) absorbs AAGT (2) and ACGG (2); TCGT (72) is too
    // abundant to be an error of ACGT (needs <= (456+1)/2) -- no: 456 >= 2*72-1, so it merges too.
    EXPECT_EQ(count_directional({{u("ACGT"), 456}, {u("AAGT"), 2}, {u("ACGG"), 2}, {u("TCGT"), 72}}, 4), 1U);
    // Equal counts do not merge (2 < 2*2-1).
    EXPECT_EQ(count_directional({{u("ACGT"), 2}, {u("ACGA"), 2}}, 4), 2U);
    // Chains merge through the intermediate: AAAA(10) -> AAAC(4) -> AACC(1).
    EXPECT_EQ(count_directional({{u("AAAA"), 10}, {u("AAAC"), 4}, {u("AACC"), 1}}, 4), 1U);
    // Two substitutions apart: separate molecules.
    EXPECT_EQ(count_directional({{u("AAAA"), 10}, {u("AACC"), 1}}, 4), 2U);
    EXPECT_EQ(count_directional({}, 4), 0U);
}

TEST(CountMolecules, AssignsGenesByIntersectionAndCountsLayers) {
    // Barcode 1: UMI AAAA has reads in {G0,G1} and {G0} -> G0, spliced + unspliced read -> unspliced.
    //            UMI CCCC in {G1} spliced; UMI CCCA (1 read) is an error of CCCC (5 reads).
    //            UMI GGGG in {G1,G2} only -> no single gene: dropped.
    //            UMI TTTT homopolymer: dropped.
    // Barcode 2: UMI ACGT in {G2}, ambiguous.
    const auto f = file_with(
        {{1, u("AAAA"), 1, 0, 2, 0}, {1, u("AAAA"), 0, 1, 1, 0}, {1, u("CCCC"), 2, 0, 5, 0}, {1, u("CCCA"), 2, 0, 1, 0},
         {1, u("GGGG"), 3, 0, 3, 0}, {1, u("TTTT"), 0, align::kUmiHomopolymer, 4, 0}, {2, u("ACGT"), 4, 2, 1, 0}},
        {{0}, {0, 1}, {1}, {1, 2}, {2}});
    CountOptions o;
    auto r = count_molecules(f, o);
    ASSERT_EQ(r.barcodes, (std::vector<std::uint64_t>{1, 2}));
    auto value = [](const CountMatrix& m, std::uint32_t gene, std::uint32_t col) {
        auto rows = m.column_rows(col);
        for (std::size_t k = 0; k < rows.size(); ++k)
            if (rows[k] == gene) return m.column_values(col)[k];
        return 0U;
    };
    // Exonic gene matrix: G0's molecule is unspliced, so not counted; G1 has one molecule.
    EXPECT_EQ(value(r.counts, 0, 0), 0U);
    EXPECT_EQ(value(r.counts, 1, 0), 1U);
    EXPECT_EQ(value(r.counts, 2, 1), 1U);  // ambiguous counts as exonic
    EXPECT_EQ(value(r.unspliced, 0, 0), 1U);
    EXPECT_EQ(value(r.spliced, 1, 0), 1U);
    EXPECT_EQ(value(r.ambiguous, 2, 1), 1U);
    EXPECT_EQ(r.reads_multi_gene, 3U);
    EXPECT_EQ(r.reads_bad_umi, 4U);
    EXPECT_EQ(r.umis_merged, 1U);
    o.include_introns = true;
    r = count_molecules(f, o);
    EXPECT_EQ(value(r.counts, 0, 0), 1U);
    o.umi_method = UmiMethod::Exact;
    r = count_molecules(f, o);
    EXPECT_EQ(value(r.counts, 1, 0), 2U);
}

TEST(CountMolecules, EmGivesMultiGeneMoleculesToTheirMostProbableGene) {
    // Barcode 1: G0 has 3 unique molecules, G1 none, and 2 molecules are compatible with {G0, G1}:
    // the maximum-likelihood abundance of G1 is 0, so both go to G0.
    // Barcode 2: one molecule in {G1, G2} and nothing else: any split is as likely, so it is
    // dropped. (With {G1, G2} in barcode 1 the EM would instead give it to G1, which also
    // explains part of the {G0, G1} molecules: the likelihood, not a rule, decides.)
    const auto f = file_with({{1, u("AAAA"), 0, 0, 2, 0}, {1, u("CCCC"), 0, 0, 2, 0}, {1, u("GGGG"), 0, 0, 2, 0},
                              {1, u("ACAC"), 1, 0, 3, 0}, {1, u("CACA"), 1, 0, 1, 0}, {2, u("GTGT"), 2, 0, 4, 0}},
                             {{0}, {0, 1}, {1, 2}});
    auto value = [](const CountMatrix& m, std::uint32_t gene, std::uint32_t col) {
        auto rows = m.column_rows(col);
        for (std::size_t k = 0; k < rows.size(); ++k)
            if (rows[k] == gene) return m.column_values(col)[k];
        return 0U;
    };
    CountOptions discard;
    const auto d = count_molecules(f, discard);
    EXPECT_EQ(value(d.counts, 0, 0), 3U);
    EXPECT_EQ(d.reads_multi_gene, 8U);
    CountOptions em;
    em.multi_gene = MultiGenePolicy::Em;
    const auto e = count_molecules(f, em);
    ASSERT_EQ(e.barcodes, (std::vector<std::uint64_t>{1}));
    EXPECT_EQ(value(e.counts, 0, 0), 5U);
    EXPECT_EQ(value(e.counts, 1, 0), 0U);
    EXPECT_EQ(e.molecules_em, 2U);
    EXPECT_EQ(e.reads_multi_gene, 4U);
}
