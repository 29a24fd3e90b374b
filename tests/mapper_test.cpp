#include "kupffer/align/mapper.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <unordered_map>

#include "kupffer/core/dna.hpp"
#include "kupffer/core/fastq_reader.hpp"
#include "kupffer/core/text_reader.hpp"
#include "kupffer/simulate/simulate.hpp"
#include "study_fixture.hpp"
#include "test_dir.hpp"

using namespace kupffer;
using namespace kupffer::align;
namespace fs = std::filesystem;

namespace {

using test::study_root;

using test::study_index;

}  // namespace

TEST(Mapper, AssignsReadsToTheirTrueGeneAndSpliceStatus) {
    const Index& index = study_index();
    std::unordered_map<std::string, std::uint32_t> gene_of;
    for (std::uint32_t g = 0; g < index.gene_ids().size(); ++g) gene_of[index.gene_ids()[g]] = g;
    Mapper mapper(index);
    Mapper full(index, {.tiles_first = false});  // every read voted on by all its looked-up k-mers
    const fs::path run = study_root() / "run";
    std::string sample;
    for (const auto& e : fs::directory_iterator(run))
        if (e.path().filename().string().find("_S1_L001_R2_") != std::string::npos) sample = e.path().filename().string();
    ASSERT_FALSE(sample.empty());
    const std::string name = sample.substr(0, sample.find("_S1_"));
    FastqReader r2(run / sample);
    TextReader truth(study_root() / "truth/reads" / (name + ".tsv.gz"));
    std::string line;
    truth.next_line(line);
    FastqRecord rec;
    std::uint64_t exonic = 0, exonic_spliced = 0, exonic_exact = 0, exonic_wrong = 0, intronic = 0, intronic_unspliced = 0, intergenic = 0,
                  intergenic_mapped = 0, junction = 0, junction_spliced = 0, reads = 0, differ = 0;
    while (r2.next(rec)) {
        ASSERT_TRUE(truth.next_line(line));
        const auto t = split(line, '\t');
        const auto& result = mapper.map(rec.sequence);
        const auto& voted = full.map(rec.sequence);
        ++reads;
        differ += result.mapped != voted.mapped ||
                  (result.mapped && (result.genes != voted.genes || result.status != voted.status ||
                                     result.target != voted.target || result.offset != voted.offset));
        if (t[6] == "exonic" && t[11] == "90") {
            ++exonic;
            const std::uint32_t g = gene_of.at(std::string(t[4]));
            exonic_spliced += result.mapped && result.status == SpliceStatus::Spliced;
            if (t[10] == "1") ++junction, junction_spliced += result.mapped && result.status == SpliceStatus::Spliced;
            if (result.mapped && result.genes.size() == 1 && result.genes[0] == g) ++exonic_exact;
            else if (result.mapped && std::find(result.genes.begin(), result.genes.end(), g) == result.genes.end()) ++exonic_wrong;
        } else if (t[6] == "intronic" && t[11] == "90") {
            ++intronic;
            intronic_unspliced += result.mapped && result.status == SpliceStatus::Unspliced;
        } else if (t[6] == "intergenic") {
            ++intergenic;
            intergenic_mapped += result.mapped;
        }
    }
    ASSERT_GT(exonic, 10'000U);
    const double exact = static_cast<double>(exonic_exact) / static_cast<double>(exonic);
    const double unspliced = static_cast<double>(intronic_unspliced) / static_cast<double>(intronic);
    const double junction_rate = static_cast<double>(junction_spliced) / static_cast<double>(junction);
    std::printf("exonic reads: %.4f exactly their gene, %.5f to a wrong gene, %.4f spliced (across a junction: %.4f of %llu); "
                "intronic: %.4f unspliced; intergenic mapped: %.4f\n", exact, static_cast<double>(exonic_wrong) / static_cast<double>(exonic),
                static_cast<double>(exonic_spliced) / static_cast<double>(exonic), junction_rate,
                static_cast<unsigned long long>(junction), unspliced, static_cast<double>(intergenic_mapped) / static_cast<double>(intergenic));
    EXPECT_GE(exact, 0.98);
    EXPECT_LE(exonic_wrong, exonic / 1000);
    EXPECT_GE(static_cast<double>(exonic_spliced) / static_cast<double>(exonic), 0.98);
    EXPECT_GE(unspliced, 0.95);
    // A read across an exon junction is spliced, even where the first base of the next exon
    // happens to match the intron's (a chance k-mer hit on the intron target's flank).
    EXPECT_GE(junction_rate, 0.98);
    EXPECT_EQ(intergenic_mapped, 0U);
    // Settling a read from its tiles gives the full vote's answer (genes, status, placement), but
    // for a few reads across a junction whose next exon begins like the intron: stride k-mers hit
    // the intron target's flank, so the full vote calls them unspliced; the tiles, rightly, not.
    std::printf("%llu reads: %.4f settled by their tiles; %llu (%.5f) differ from the full vote\n",
                static_cast<unsigned long long>(reads), static_cast<double>(mapper.tiled_reads()) / static_cast<double>(reads),
                static_cast<unsigned long long>(differ), static_cast<double>(differ) / static_cast<double>(reads));
    EXPECT_GT(mapper.tiled_reads(), reads / 2);
    EXPECT_LE(differ, reads / 10'000);
}

TEST(Mapper, IsStrandAware) {
    const Index& index = study_index();
    // The first transcript's sense sequence maps; its reverse complement does not (10x 3' reads
    // are sense), unless the mapper is told the chemistry is antisense.
    std::string seq;
    {
        TextReader fa(study_root() / "reference/genome.fa");
        std::string l;
        fa.next_line(l);
        while (fa.next_line(l) && l[0] != '>' && seq.size() < 200'000) seq += l;
    }
    Mapper mapper(index);
    std::size_t sense = 0, anti = 0, anti_flipped = 0, tried = 0;
    for (std::size_t pos = 0; pos + 90 < seq.size(); pos += 997) {
        const std::string read = seq.substr(pos, 90);
        const bool fwd = mapper.map(read).mapped;
        const std::string rc = dna::reverse_complement(read);
        const bool rev = mapper.map(rc).mapped;
        const bool rev_flipped = mapper.map(rc, true).mapped;
        sense += fwd;
        anti += rev;
        anti_flipped += rev_flipped;
        ++tried;
        // Flipping an antisense read recovers exactly the forward result.
        EXPECT_EQ(fwd, rev_flipped);
    }
    EXPECT_GT(sense + anti, 10U);  // genic stretches of chr1 on either strand
    EXPECT_EQ(anti_flipped, sense);
}

namespace {

/// A 20 kb contig with genes laid out as real annotations have them: B nested (same strand) in
/// A's intron, S antisense over A's last exon, C and D sharing an exon (a readthrough transcript).
struct OverlappingGenes {
    test::TempDir dir;
    std::string contig;
    std::unique_ptr<Index> index;
    std::map<std::string, std::uint32_t> gene;  // name -> gene index

    OverlappingGenes() {
        std::mt19937 rng(7);
        for (int i = 0; i < 20'000; ++i) contig += "ACGT"[rng() % 4];
        std::ofstream(dir / "genome.fa") << ">chrX\n" << contig << "\n";
        std::ofstream gtf(dir / "genes.gtf");
        auto exon = [&](const char* g, const char* t, char strand, int start, int end) {
            gtf << "chrX\ttest\texon\t" << start + 1 << "\t" << end << "\t.\t" << strand << "\t.\tgene_id \"" << g
                << "\"; transcript_id \"" << t << "\"; gene_name \"" << g << "\";\n";
        };
        exon("A", "A1", '+', 1000, 1500);
        exon("A", "A1", '+', 3000, 4000);
        exon("B", "B1", '+', 2000, 2400);
        exon("S", "S1", '-', 3500, 4500);
        exon("C", "C1", '+', 6000, 6500);
        exon("D", "D1", '+', 6000, 6500);
        exon("D", "D1", '+', 7000, 7300);
        gtf.close();
        index = std::make_unique<Index>(Index::build(dir / "genome.fa", dir / "genes.gtf", {}));
        for (std::uint32_t g = 0; g < index->gene_names().size(); ++g) gene[index->gene_names()[g]] = g;
    }
    std::string plus(int start) const { return contig.substr(static_cast<std::size_t>(start), 90); }
    std::vector<std::uint32_t> genes(std::initializer_list<const char*> names) {
        std::vector<std::uint32_t> out;
        for (auto n : names) out.push_back(gene.at(n));
        std::sort(out.begin(), out.end());
        return out;
    }
};

}  // namespace

TEST(Mapper, AssignsReadsOfOverlappingGenesAsCellRangerDoes) {
    OverlappingGenes t;
    Mapper mapper(*t.index);
    // Inside B's exon, which lies in A's intron on the same strand: exonic evidence beats intronic.
    auto r = mapper.map(t.plus(2100));
    ASSERT_TRUE(r.mapped);
    EXPECT_EQ(r.genes, t.genes({"B"}));
    EXPECT_EQ(r.status, SpliceStatus::Spliced);
    // In A's intron away from B: A's, unspliced; across A's exon-intron boundary: A's, unspliced.
    r = mapper.map(t.plus(1600));
    EXPECT_EQ(r.genes, t.genes({"A"}));
    EXPECT_EQ(r.status, SpliceStatus::Unspliced);
    r = mapper.map(t.plus(1450));
    EXPECT_EQ(r.genes, t.genes({"A"}));
    EXPECT_EQ(r.status, SpliceStatus::Unspliced);
    // Where A's last exon and antisense S overlap: the read's strand decides (3' reads are sense).
    r = mapper.map(t.plus(3600));
    EXPECT_EQ(r.genes, t.genes({"A"}));
    EXPECT_EQ(r.status, SpliceStatus::Spliced);
    r = mapper.map(dna::reverse_complement(t.plus(3600)));
    EXPECT_EQ(r.genes, t.genes({"S"}));
    // The same read from a 5' (antisense) library, flipped by the mapper: S's.
    r = mapper.map(t.plus(3600), true);
    EXPECT_EQ(r.genes, t.genes({"S"}));
    // An exon shared by C and D is truly ambiguous: both genes, left to count's multi-gene policy;
    // D's own exon is D's.
    r = mapper.map(t.plus(6100));
    EXPECT_EQ(r.genes, t.genes({"C", "D"}));
    r = mapper.map(t.plus(7100));
    EXPECT_EQ(r.genes, t.genes({"D"}));
}
