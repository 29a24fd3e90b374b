#include "kupffer/align/index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "kupffer/align/reference_files.hpp"
#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"
#include "study_fixture.hpp"
#include "test_dir.hpp"

using namespace kupffer;
using namespace kupffer::align;
using kupffer::test::TempDir;
namespace fs = std::filesystem;

namespace {
// A two-exon + gene and a one-exon - gene on a 600-base contig.
std::string contig() {
    std::string s;
    std::uint64_t x = 12345;
    for (int i = 0; i < 600; ++i) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        s += "ACGT"[(x >> 33) & 3];
    }
    return s;
}
void write_reference(const TempDir& dir, const std::string& gtf_extra = "") {
    std::ofstream(dir / "g.fa") << ">c1 test contig\n" << contig().substr(0, 300) << "\n" << contig().substr(300) << "\n";
    std::ofstream(dir / "g.gtf")
        << "c1\tt\texon\t11\t110\t.\t+\t.\tgene_id \"G1\"; transcript_id \"T1\"; gene_name \"ONE\";\n"
        << "c1\tt\texon\t201\t300\t.\t+\t.\tgene_id \"G1\"; transcript_id \"T1\"; gene_name \"ONE\";\n"
        << "c1\tt\texon\t401\t500\t.\t-\t.\tgene_id \"G2\"; transcript_id \"T2\"; gene_name \"TWO\";\n"
        << gtf_extra;
}
std::uint64_t packed(const std::string& s) { return *dna::pack(s); }
}  // namespace

TEST(Index, HoldsTranscriptsAndFlankedIntronsInSenseOrientation) {
    TempDir dir;
    write_reference(dir);
    const Index index = Index::build(dir / "g.fa", dir / "g.gtf", {});
    ASSERT_EQ(index.gene_ids(), (std::vector<std::string>{"G1", "G2"}));
    EXPECT_EQ(index.gene_names()[0], "ONE");
    ASSERT_EQ(index.targets().size(), 3U);  // T1, T2, G1's intron
    EXPECT_EQ(index.targets()[0].length, 200U);
    EXPECT_EQ(index.targets()[2].kind, TargetKind::Intron);
    EXPECT_EQ(index.targets()[2].length, 90U + 2 * 30U);  // intron 110..200 plus k-1 on each side
    const std::string c = contig();
    // A junction-spanning k-mer of T1: last 15 bases of exon 1 + first 16 of exon 2.
    const auto junction = index.find(packed(c.substr(95, 15) + c.substr(200, 16)));
    ASSERT_EQ(junction.size(), 1U);
    EXPECT_EQ(junction[0].target, 0U);
    EXPECT_EQ(junction[0].position, 85U);
    // G2 is on '-': its sense k-mers are reverse complements of the genome.
    EXPECT_EQ(index.find(packed(dna::reverse_complement(c.substr(469, 31)))).size(), 1U);
    EXPECT_TRUE(index.find(packed(c.substr(469, 31))).empty());
    // An intronic k-mer belongs to the intron target only.
    const auto intronic = index.find(packed(c.substr(140, 31)));
    ASSERT_EQ(intronic.size(), 1U);
    EXPECT_EQ(intronic[0].target, 2U);
}

TEST(Index, SavesAndLoadsIdentically) {
    TempDir dir;
    write_reference(dir);
    const Index built = Index::build(dir / "g.fa", dir / "g.gtf", {});
    built.save(dir / "idx", false);
    const Index loaded = Index::load(dir / "idx", fingerprint_reference(dir / "g.fa", dir / "g.gtf", 31));
    EXPECT_EQ(loaded.distinct_kmers(), built.distinct_kmers());
    EXPECT_EQ(loaded.gene_ids(), built.gene_ids());
    const std::string c = contig();
    for (int pos : {10, 50, 210, 250})
        EXPECT_EQ(loaded.find(packed(c.substr(pos, 31))).size(), built.find(packed(c.substr(pos, 31))).size());
    EXPECT_EQ(loaded.contig_names(), built.contig_names());
    EXPECT_EQ(loaded.contig_lengths(), (std::vector<std::uint32_t>{600}));
    for (std::uint32_t t = 0; t < built.targets().size(); ++t) {
        EXPECT_EQ(loaded.layout(t).blocks, built.layout(t).blocks);
        EXPECT_EQ(loaded.layout(t).strand, built.layout(t).strand);
        EXPECT_EQ(loaded.layout(t).contig, built.layout(t).contig);
    }
    EXPECT_THROW(built.save(dir / "idx", false), OptionError);
}

TEST(Index, RejectsAnIndexFromOtherInputsOrAnotherVersion) {
    TempDir dir;
    write_reference(dir);
    Index::build(dir / "g.fa", dir / "g.gtf", {}).save(dir / "idx", false);
    std::ofstream(dir / "g.gtf", std::ios::app) << "c1\tt\texon\t551\t590\t.\t+\t.\tgene_id \"G3\"; transcript_id \"T3\";\n";
    EXPECT_THROW(Index::load(dir / "idx", fingerprint_reference(dir / "g.fa", dir / "g.gtf", 31)), InputError);
    // Pretend a future kupffer wrote it.
    std::string meta;
    {
        std::ifstream in(dir / "idx/index.json");
        std::getline(in, meta);
    }
    const auto at = meta.find("\"format_version\":");
    meta.replace(at, std::string("\"format_version\":1").size(), "\"format_version\":99");
    std::ofstream(dir / "idx/index.json") << meta << "\n";
    try {
        Index::load(dir / "idx");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("rebuild"), std::string::npos) << e.what();
    }
    EXPECT_THROW(Index::load(dir / "nowhere"), InputError);
}

TEST(Index, TruncatedBinaryIsAnErrorNamingIt) {
    TempDir dir;
    write_reference(dir);
    Index::build(dir / "g.fa", dir / "g.gtf", {}).save(dir / "idx", false);
    const auto size = fs::file_size(dir / "idx/kmers.bin");
    for (const auto keep : {size - 1, size / 2, std::uintmax_t{30}})
        for (int threads : {1, 2}) {
            fs::remove_all(dir / "cut");
            fs::copy(dir / "idx", dir / "cut");
            fs::resize_file(dir / "cut/kmers.bin", keep);
            try {
                Index::load(dir / "cut", std::nullopt, threads);
                ADD_FAILURE() << "loaded an index cut to " << keep << " bytes";
            } catch (const InputError& e) {
                EXPECT_NE(std::string(e.what()).find("kmers.bin"), std::string::npos) << e.what();
            }
        }
}

TEST(ReferenceFiles, MalformedGtfNamesFileAndLine) {
    TempDir dir;
    write_reference(dir, "c1\tt\texon\t600\t10\t.\t+\t.\tgene_id \"G4\"; transcript_id \"T4\";\n");
    try {
        read_gtf(dir / "g.gtf");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("g.gtf:4"), std::string::npos) << e.what();
    }
    std::ofstream(dir / "cols.gtf") << "c1\tt\texon\t1\t10\n";
    EXPECT_THROW(read_gtf(dir / "cols.gtf"), InputError);
    std::ofstream(dir / "attrs.gtf") << "c1\tt\texon\t1\t10\t.\t+\t.\tgene_name \"X\";\n";
    EXPECT_THROW(read_gtf(dir / "attrs.gtf"), InputError);
    // A gene on a contig the FASTA lacks is caught when indexing.
    write_reference(dir, "c9\tt\texon\t1\t50\t.\t+\t.\tgene_id \"G5\"; transcript_id \"T5\";\n");
    EXPECT_THROW(Index::build(dir / "g.fa", dir / "g.gtf", {}), InputError);
}

TEST(ReferenceFiles, FastaWithDuplicateNamesOrBadCharactersIsRejected) {
    TempDir dir;
    std::ofstream(dir / "dup.fa") << ">a\nACGT\n>b\nACGT\n>a\nACGT\n";
    try {
        read_fasta(dir / "dup.fa");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.line(), 5U);
        EXPECT_NE(std::string(e.what()).find("duplicate"), std::string::npos);
    }
    std::ofstream(dir / "bad.fa") << ">a\nAC1T\n";
    EXPECT_THROW(read_fasta(dir / "bad.fa"), InputError);
    std::ofstream(dir / "empty.fa") << ">a\n>b\nACGT\n";
    EXPECT_THROW(read_fasta(dir / "empty.fa"), InputError);
    std::ofstream(dir / "iupac.fa") << ">a\nacgtRYn\n";
    EXPECT_EQ(read_fasta(dir / "iupac.fa").sequences[0], "ACGTNNN");
}

TEST(ReferenceFiles, ReadsTheRealMitochondrialReference) {
    const auto fa = test::shared_data("pbmc10k_chrM/reference/NC_012920.1.fa");
    const auto gtf = test::shared_data("pbmc10k_chrM/reference/NC_012920.1.genes.gtf");
    if (!fs::exists(fa)) GTEST_SKIP() << "shared data not found: " << fa;
    EXPECT_EQ(read_fasta(fa).sequences[0].size(), 16'569U);
    EXPECT_EQ(read_gtf(gtf).genes.size(), 37U);
    const Index index = Index::build(fa, gtf, {});
    EXPECT_GT(index.distinct_kmers(), 10'000U);
}

TEST(Index, FindsEveryKmerOfEveryTargetAndNothingElseBeforeAndAfterSaving) {
    // 150 kb of random sequence: a gene of three exons and a single-exon gene, both on '+', and
    // a 500-base stretch copied into both, so some k-mers have several postings. About 120,000
    // k-mers, far more than the small references above, in the compact table's values and postings.
    TempDir dir;
    std::string c;
    std::uint64_t x = 987654321;
    for (int i = 0; i < 150'000; ++i) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        c += "ACGT"[(x >> 33) & 3];
    }
    c.replace(100'000, 500, c.substr(20'000, 500));
    std::ofstream(dir / "g.fa") << ">big\n" << c << "\n";
    std::ofstream(dir / "g.gtf") << "big\tt\texon\t1001\t40000\t.\t+\t.\tgene_id \"A\"; transcript_id \"A1\";\n"
                                 << "big\tt\texon\t41001\t60000\t.\t+\t.\tgene_id \"A\"; transcript_id \"A1\";\n"
                                 << "big\tt\texon\t61001\t70000\t.\t+\t.\tgene_id \"A\"; transcript_id \"A1\";\n"
                                 << "big\tt\texon\t90001\t140000\t.\t+\t.\tgene_id \"B\"; transcript_id \"B1\";\n";
    const Index built = Index::build(dir / "g.fa", dir / "g.gtf", {});
    built.save(dir / "idx", false);
    const Index loaded = Index::load(dir / "idx");
    // Every k-mer of transcript A1 (exons joined) is found with its own posting among its hits.
    const std::string a1 = c.substr(1000, 39'000) + c.substr(41'000, 19'000) + c.substr(61'000, 9'000);
    std::size_t found = 0;
    for (const Index* index : {&built, &loaded}) {
        for (std::uint32_t pos = 0; pos + 31 <= a1.size(); ++pos) {
            const auto hits = index->find(packed(a1.substr(pos, 31)));
            found += std::any_of(hits.begin(), hits.end(), [&](const Posting& p) { return p.target == 0 && p.position == pos; });
        }
        // The copied stretch lies in A1's first exon and in B1: two postings.
        EXPECT_EQ(index->find(packed(c.substr(20'100, 31))).size(), 2U);
    }
    EXPECT_EQ(found, 2 * (a1.size() - 30));
    // Random k-mers (not in this genome, as far as 4^31 goes) are not found.
    std::size_t false_hits = 0;
    for (int i = 0; i < 200'000; ++i) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        false_hits += !loaded.find(x >> 2 & ((std::uint64_t{1} << 62) - 1)).empty();
    }
    EXPECT_EQ(false_hits, 0U);
    EXPECT_EQ(loaded.distinct_kmers(), built.distinct_kmers());
    EXPECT_GT(built.distinct_kmers(), 100'000U);
}

TEST(IndexEstimate, PredictsTheBuiltIndexAndRefusesATooSmallMemoryUpFront) {
    // On the fixture study's reference (4 Mb, 400 genes, transcripts and introns): the estimate
    // from the GTF alone is within 10% of the distinct k-mers counted and of the bytes saved (the
    // 150 Mb / 6,000-gene measurement is in docs/align.md).
    const auto root = kupffer::test::study_root();
    const fs::path fasta = root / "reference/genome.fa", gtf = root / "reference/genes.gtf";
    const auto e = estimate_index(fasta, gtf, {});
    const auto& index = kupffer::test::study_index();
    EXPECT_NEAR(static_cast<double>(e.distinct_kmers), static_cast<double>(index.distinct_kmers()), 0.1 * static_cast<double>(index.distinct_kmers()));
    TempDir dir;
    index.save(dir / "index", false);
    std::uint64_t saved = 0;
    for (const auto& f : fs::directory_iterator(dir / "index")) saved += fs::file_size(f.path());
    EXPECT_NEAR(static_cast<double>(e.disk_bytes), static_cast<double>(saved), 0.1 * static_cast<double>(saved));
    EXPECT_GT(e.build_bytes, e.map_bytes);
    EXPECT_NE(describe(e).find("building needs about"), std::string::npos);
    IndexOptions small;
    small.memory_bytes = e.build_bytes / 2;
    try {
        Index::build(fasta, gtf, small);
        FAIL() << "built with half the memory it needs";
    } catch (const OptionError& error) {
        EXPECT_NE(std::string(error.what()).find("not enough memory for this index"), std::string::npos) << error.what();
    }
}
