#include "kupffer/simulate/reference.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/text_reader.hpp"
#include "test_dir.hpp"

using namespace kupffer;
using namespace kupffer::simulate;

namespace {
const Reference& small_reference() {
    static const Reference ref = [] {
        ReferenceOptions o;
        o.seed = 3;
        o.genes = 600;
        o.genome_size = 6'000'000;
        return simulate_reference(o);
    }();
    return ref;
}
const Gene& gene_named(const Reference& ref, const std::string& name) {
    for (const auto& g : ref.genes)
        if (g.name == name) return g;
    throw std::runtime_error("no gene " + name);
}
}  // namespace

TEST(Reference, HoldsTheNamedHepaticImmuneGenesAndMitochondrialGenes) {
    const auto& ref = small_reference();
    EXPECT_EQ(ref.genes.size(), 600U + mito_genes().size());
    for (const auto& named : named_genes()) EXPECT_NO_THROW(gene_named(ref, std::string(named.name))) << named.name;
    const auto& mt = gene_named(ref, "MT-CO1");
    EXPECT_EQ(ref.chrom_names[mt.chrom], "chrM");
    EXPECT_EQ(mt.category, GeneCategory::Mitochondrial);
    std::set<std::string> ids;
    for (const auto& g : ref.genes) ids.insert(g.id);
    EXPECT_EQ(ids.size(), ref.genes.size());
}

TEST(Reference, GenesAreSortedAndInsideTheirChromosome) {
    const auto& ref = small_reference();
    for (std::size_t i = 0; i < ref.genes.size(); ++i) {
        const auto& g = ref.genes[i];
        ASSERT_LE(g.end, ref.chrom_sequences[g.chrom].size());
        if (i > 0 && ref.genes[i - 1].chrom == g.chrom) {
            EXPECT_LE(ref.genes[i - 1].start, g.start);
        }
        for (const auto& tx : g.transcripts) {
            std::uint32_t length = 0;
            for (std::size_t e = 0; e < tx.exons.size(); ++e) {
                EXPECT_LT(tx.exons[e].start, tx.exons[e].end);
                if (e > 0) {
                    EXPECT_LT(tx.exons[e - 1].end, tx.exons[e].start);
                }
                EXPECT_GE(tx.exons[e].start, g.start);
                EXPECT_LE(tx.exons[e].end, g.end);
                length += tx.exons[e].length();
            }
            EXPECT_EQ(tx.sequence.size(), length);
        }
    }
}

TEST(Reference, HasRealisticStructure) {
    const auto& ref = small_reference();
    std::size_t plus = 0, multi_exon = 0, alt = 0, paralogs = 0, overlaps = 0;
    for (std::size_t i = 0; i < ref.genes.size(); ++i) {
        const auto& g = ref.genes[i];
        plus += g.strand == '+';
        multi_exon += g.transcripts[0].exons.size() > 1;
        alt += g.transcripts.size() > 1;
        paralogs += !g.paralog_of.empty();
        if (i > 0 && ref.genes[i - 1].chrom == g.chrom && ref.genes[i - 1].end > g.start && ref.genes[i - 1].strand != g.strand)
            ++overlaps;
    }
    const double n = static_cast<double>(ref.genes.size());
    EXPECT_GT(plus / n, 0.4);
    EXPECT_LT(plus / n, 0.6);
    EXPECT_GT(multi_exon / n, 0.8);
    EXPECT_GT(alt / n, 0.1);
    EXPECT_GE(paralogs, 5U);
    EXPECT_GE(overlaps, 3U);
}

TEST(Reference, IntronsHaveCanonicalSpliceSites) {
    const auto& ref = small_reference();
    std::size_t checked = 0;
    for (const auto& g : ref.genes) {
        const auto& exons = g.transcripts[0].exons;
        for (std::size_t e = 0; e + 1 < exons.size(); ++e) {
            const std::string intron = oriented_sequence(ref, g.chrom, exons[e].end, exons[e + 1].start, g.strand);
            // A neighbouring gene's exon may overwrite an intron end in rare overlaps; require nearly all.
            checked += intron.substr(0, 2) == "GT" && intron.substr(intron.size() - 2) == "AG";
        }
    }
    std::size_t introns = 0;
    for (const auto& g : ref.genes) introns += g.transcripts[0].exons.size() - 1;
    EXPECT_GT(static_cast<double>(checked) / static_cast<double>(introns), 0.99);
}

TEST(Reference, ParalogsShareMostOfTheirExonicSequence) {
    const auto& ref = small_reference();
    const auto& a = gene_named(ref, "HBA1").transcripts[0].sequence;
    const auto& b = gene_named(ref, "HBA2").transcripts[0].sequence;
    ASSERT_EQ(a.size(), b.size());
    std::size_t same = 0;
    for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
    const double identity = static_cast<double>(same) / static_cast<double>(a.size());
    EXPECT_GT(identity, 0.93);
    EXPECT_LT(identity, 1.0);
}

TEST(Reference, ParalogsKeepTheirSourcesExonLengthsEvenWhenManyGenesAreCopied) {
    // Regression (issue 14): a gene copied by one paralog was later made a copy itself, its exons
    // changed under the first copy and the copy wrote far outside its chromosome ("basic_string::
    // replace" with --genes 8000 --genome-size 300000000).
    ReferenceOptions o;
    o.seed = 3;
    o.genes = 1500;
    o.genome_size = 15'000'000;
    o.paralog_fraction = 0.4;
    const auto ref = simulate_reference(o);
    std::map<std::string, const Gene*> by_id;
    for (const auto& g : ref.genes) by_id[g.id] = &g;
    std::size_t copies = 0;
    for (const auto& g : ref.genes) {
        if (g.paralog_of.empty()) continue;
        ++copies;
        const auto& source = *by_id.at(g.paralog_of);
        ASSERT_EQ(g.transcripts[0].exons.size(), source.transcripts[0].exons.size()) << g.name;
        EXPECT_EQ(g.transcripts[0].sequence.size(), source.transcripts[0].sequence.size()) << g.name;
    }
    EXPECT_GT(copies, 300U);
}

TEST(Reference, SameSeedSameGenome) {
    ReferenceOptions o;
    o.seed = 3;
    o.genes = 600;
    o.genome_size = 6'000'000;
    const auto again = simulate_reference(o);
    EXPECT_EQ(again.chrom_sequences, small_reference().chrom_sequences);
    o.seed = 4;
    EXPECT_NE(simulate_reference(o).chrom_sequences, small_reference().chrom_sequences);
}

TEST(Reference, TooSmallGenomeIsAnOptionError) {
    ReferenceOptions o;
    o.genes = 2000;
    o.genome_size = 2'000'000;
    EXPECT_THROW(simulate_reference(o), OptionError);
}

TEST(Reference, GtfAndFastaDescribeTheReference) {
    const auto& ref = small_reference();
    test::TempDir dir;
    write_gtf(ref, dir / "genes.gtf");
    write_fasta(ref, dir / "genome.fa");
    std::map<std::string, int> features;
    TextReader gtf(dir / "genes.gtf");
    std::string line;
    while (gtf.next_line(line)) {
        if (line[0] == '#') continue;
        const auto f = split(line, '\t');
        ASSERT_EQ(f.size(), 9U) << "line " << gtf.line_number();
        features[std::string(f[2])]++;
        EXPECT_NE(f[8].find("gene_id \""), std::string_view::npos);
        EXPECT_NE(f[8].find("gene_name \""), std::string_view::npos);
        if (f[2] != "gene") {
            EXPECT_NE(f[8].find("transcript_id \""), std::string_view::npos);
        }
        EXPECT_LE(std::stoul(std::string(f[3])), std::stoul(std::string(f[4])));
    }
    EXPECT_EQ(features["gene"], static_cast<int>(ref.genes.size()));
    EXPECT_GT(features["exon"], features["transcript"]);
    const auto fasta = read_lines(dir / "genome.fa");
    EXPECT_EQ(fasta[0], ">chr1");
    EXPECT_EQ(fasta[1].size(), 60U);
}

// Genome-scale structure (issue 14): primate gene lengths, nested and antisense genes, chromosomes
// of 150 Mb. A whole 3 Gb genome takes ~1 min and 3.2 GB (docs/align.md); 450 Mb with 3,000 genes
// gives the length distributions enough genes in ~5 s.
TEST(Reference, PrimateModelHasPrimateGeneStructureAtScale) {
    ReferenceOptions o;
    o.seed = 9;
    o.genes = 3000;
    o.genome_size = 450'000'000;
    o.gene_model = GeneModel::Primate;
    const auto ref = simulate_reference(o);
    ASSERT_EQ(ref.chrom_names.size(), 4U);  // three of 150 Mb and chrM
    EXPECT_GT(ref.chrom_sequences[0].size(), std::size_t{1} << 27);
    std::vector<double> exons, introns, spans;
    std::size_t nested = 0, antisense_overlaps = 0;
    for (std::size_t i = 0; i < ref.genes.size(); ++i) {
        const auto& g = ref.genes[i];
        if (g.category == GeneCategory::Mitochondrial) continue;
        const auto& tx = g.transcripts[0].exons;
        exons.push_back(static_cast<double>(tx.size()));
        for (std::size_t e = 0; e + 1 < tx.size(); ++e) introns.push_back(tx[e + 1].start - tx[e].end);
        spans.push_back(g.end - g.start);
        ASSERT_LE(g.end, ref.chrom_sequences[g.chrom].size());
        for (std::size_t j = i; j-- > 0 && ref.genes[j].chrom == g.chrom;) {
            const auto& h = ref.genes[j];
            if (h.end <= g.start) continue;
            if (h.start <= g.start && g.end <= h.end) ++nested;
            else if (h.strand != g.strand) ++antisense_overlaps;
            break;
        }
    }
    auto median = [](std::vector<double> v) {
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
        return v[v.size() / 2];
    };
    auto mean = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); };
    // Human RefSeq/GENCODE: ~8 exons per gene (mean ~10), introns median ~1.6 kb (mean ~6 kb, an
    // eighth over 10 kb, the longest past 1 Mb), genes median ~25 kb with their introns.
    EXPECT_GE(median(exons), 6);
    EXPECT_LE(median(exons), 10);
    EXPECT_NEAR(mean(exons), 9.5, 1.5);
    EXPECT_NEAR(median(introns), 1600, 300);
    EXPECT_NEAR(mean(introns), 5700, 1500);
    const auto long_introns = std::count_if(introns.begin(), introns.end(), [](double l) { return l > 10'000; });
    EXPECT_NEAR(static_cast<double>(long_introns) / static_cast<double>(introns.size()), 0.125, 0.03);
    EXPECT_NEAR(median(spans), 26'000, 6'000);
    EXPECT_GT(*std::max_element(spans.begin(), spans.end()), 400'000);
    EXPECT_GT(nested, 30U);             // ~3% of genes sit in another's intron
    EXPECT_GT(antisense_overlaps, 30U); // convergent 3' overlaps
    // Every transcript, nested ones included, has its mRNA.
    for (const auto& g : ref.genes)
        for (const auto& tx : g.transcripts) ASSERT_FALSE(tx.sequence.empty()) << g.id;
}

TEST(Reference, CompactModelAtThreeHundredMegabasesDoesNotCrash) {
    // Issue 14 saw `--genome-size 300000000 --genes 8000` fail with a basic_string::replace error.
    ReferenceOptions o;
    o.seed = 3;
    o.genes = 8000;
    o.genome_size = 300'000'000;
    const auto ref = simulate_reference(o);
    EXPECT_EQ(ref.chrom_names.size(), 61U);
    EXPECT_EQ(ref.genes.size(), 8000U + mito_genes().size());
}
