#include "kupffer/core/hts.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"
#include "test_dir.hpp"

using namespace kupffer;
using kupffer::test::TempDir;

namespace {
std::string fastq(int n) {
    std::string text;
    for (int i = 0; i < n; ++i)
        text += "@read" + std::to_string(i) + " 1:N:0:ACGT\nACGTNACGTA\n+\nFFFF#FFFF:\n";
    return text;
}
}  // namespace

TEST(FastqReader, ReadsPlainAndGzipRecords) {
    TempDir dir;
    write_text_file(dir / "r.fastq", fastq(3));
    write_text_file(dir / "r.fastq.gz", fastq(3));
    for (const char* name : {"r.fastq", "r.fastq.gz"}) {
        FastqReader reader(dir / name);
        FastqRecord rec;
        int n = 0;
        while (reader.next(rec)) {
            EXPECT_EQ(rec.name, "read" + std::to_string(n));
            EXPECT_EQ(rec.sequence, "ACGTNACGTA");
            EXPECT_EQ(rec.quality, "FFFF#FFFF:");
            ++n;
        }
        EXPECT_EQ(n, 3);
        EXPECT_EQ(reader.record_number(), 3U);
    }
}

TEST(FastqReader, ReadsRealTenXReads) {
    const auto path = kupffer::test::shared_data(
        "pbmc10k_chrM/fastq/subsampled_SC3_v3_NextGem_DI_CellPlex_Human_PBMC_10K_1_gex_S2_L001_R1_001.fastq.gz");
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared data not found: " << path;
    FastqReader reader(path);
    FastqRecord rec;
    std::uint64_t n = 0;
    while (reader.next(rec)) {
        ASSERT_EQ(rec.sequence.size(), 28U);  // 10x v3: 16 bp barcode + 12 bp UMI
        ASSERT_EQ(rec.quality.size(), 28U);
        ++n;
    }
    EXPECT_EQ(n, 10'000U);
}

TEST(FastqReader, EmptyFileHasNoRecords) {
    TempDir dir;
    std::ofstream(dir / "empty.fastq").close();
    FastqReader reader(dir / "empty.fastq");
    FastqRecord rec;
    EXPECT_FALSE(reader.next(rec));
}

TEST(FastqReader, TruncatedGzipNamesFileAndRecord) {
    TempDir dir;
    const std::string z = gzip_compress(fastq(50'000));
    std::ofstream(dir / "cut.fastq.gz", std::ios::binary).write(z.data(), static_cast<std::streamsize>(z.size() * 2 / 3));
    FastqReader reader(dir / "cut.fastq.gz");
    FastqRecord rec;
    try {
        while (reader.next(rec)) {
        }
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("cut.fastq.gz"), std::string::npos) << e.what();
        EXPECT_GT(e.line(), 1000U);
    }
}

TEST(FastqReader, MalformedRecordIsAnInputError) {
    TempDir dir;
    write_text_file(dir / "bad.fastq", fastq(2) + "@read2\nACGT\n+\nFF\n");
    FastqReader reader(dir / "bad.fastq");
    FastqRecord rec;
    EXPECT_TRUE(reader.next(rec));
    EXPECT_TRUE(reader.next(rec));
    EXPECT_THROW(reader.next(rec), InputError);
}

TEST(FastqReader, MissingFileIsAnIoError) { EXPECT_THROW(FastqReader("/no/such/reads.fastq.gz"), IoError); }

TEST(FastqReader, InvalidBaseNamesFileRecordAndBase) {
    TempDir dir;
    write_text_file(dir / "x.fastq.gz", fastq(3) + "@bad\nACXT\n+\nFFFF\n");
    FastqReader reader(dir / "x.fastq.gz");
    FastqRecord rec;
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(reader.next(rec));
    try {
        reader.next(rec);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.line(), 4U);
        EXPECT_NE(std::string(e.what()).find("'X'"), std::string::npos) << e.what();
    }
}

TEST(FastqReader, FastaRecordsAreRejectedAndMateSuffixesDropped) {
    TempDir dir;
    write_text_file(dir / "a.fa", ">r1\nACGT\n");
    FastqReader fasta(dir / "a.fa");
    FastqRecord rec;
    EXPECT_THROW(fasta.next(rec), InputError);
    write_text_file(dir / "m.fq", "@pair7/1 extra comment\nACGT\n+\nFFFF\n");
    FastqReader mates(dir / "m.fq");
    ASSERT_TRUE(mates.next(rec));
    EXPECT_EQ(rec.name, "pair7");
    EXPECT_EQ(rec.sequence, "ACGT");
}
