#include "kupffer/core/fastq_reader.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

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
        // No line (decompression runs ahead of the records): the records read intact are named.
        const std::string what = e.what();
        EXPECT_NE(what.find("cut.fastq.gz: after record "), std::string::npos) << what;
        EXPECT_NE(what.find("truncated gzip file"), std::string::npos) << what;
        EXPECT_GT(std::stoull(what.substr(what.find("after record ") + 13)), 1000U) << what;
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
        EXPECT_EQ(e.line(), 14U);  // record 4's sequence line
        EXPECT_NE(std::string(e.what()).find("record 4: invalid base 'X'"), std::string::npos) << e.what();
    }
}

TEST(FastqReader, BadBaseAnywhereInALongReadIsCaught) {
    // The base check runs 16 bytes at a time plus a tail: every position of a 91-base read.
    TempDir dir;
    const std::string good(91, 'G');
    for (std::size_t at : {std::size_t{0}, std::size_t{15}, std::size_t{16}, std::size_t{47}, std::size_t{80}, std::size_t{90}}) {
        for (char bad : {'.', 'U', '-', '\0'}) {
            std::string seq = good;
            seq[at] = bad;
            write_text_file(dir / "b.fq", "@ok\n" + good + "\n+\n" + std::string(91, 'F') + "\n@bad\n" + seq + "\n+\n" + std::string(91, 'F') + "\n");
            FastqReader reader(dir / "b.fq");
            FastqRecord rec;
            ASSERT_TRUE(reader.next(rec));
            EXPECT_THROW(reader.next(rec), InputError) << "bad base " << int(bad) << " at " << at;
        }
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

TEST(FastqReader, AcceptsCrlfMissingFinalNewlineAndBlankLinesBetweenRecords) {
    TempDir dir;
    write_text_file(dir / "crlf.fq", "@a\tcomment\r\nacgtn\r\n+\r\nFFFFF\r\n\n@b/2\nAC\n+b\n##");
    FastqReader reader(dir / "crlf.fq");
    FastqRecord rec;
    ASSERT_TRUE(reader.next(rec));
    EXPECT_EQ(rec.name, "a");
    EXPECT_EQ(rec.sequence, "ACGTN");  // upper-cased
    EXPECT_EQ(rec.quality, "FFFFF");
    ASSERT_TRUE(reader.next(rec));
    EXPECT_EQ(rec.name, "b");
    EXPECT_EQ(rec.sequence, "AC");
    EXPECT_EQ(rec.quality, "##");
    EXPECT_FALSE(reader.next(rec));
    EXPECT_EQ(reader.record_number(), 2U);
}

TEST(FastqReader, RecordsLongerThanItsBufferAndManySmallOnes) {
    TempDir dir;
    const std::string long_seq(3'000'000, 'G'), long_qual(3'000'000, 'I');
    write_text_file(dir / "long.fq.gz", fastq(1000) + "@long\n" + long_seq + "\n+\n" + long_qual + "\n" + fastq(1000));
    FastqReader reader(dir / "long.fq.gz");
    FastqRecord rec;
    std::uint64_t n = 0, longest = 0;
    while (reader.next(rec)) ++n, longest = std::max<std::uint64_t>(longest, rec.sequence.size());
    EXPECT_EQ(n, 2001U);
    EXPECT_EQ(longest, 3'000'000U);
}

TEST(FastqReader, TruncatedAndWrappedRecordsNameTheirRecordAndLine) {
    TempDir dir;
    // The line is the faulty one: the header for a truncated or headless record (record 3 starts at
    // line 9), the '+' line for a wrapped one.
    auto error_of = [&](const std::string& text, std::uint64_t line = 9) -> std::string {
        write_text_file(dir / "x.fq", text);
        FastqReader reader(dir / "x.fq");
        FastqRecord rec;
        try {
            while (reader.next(rec)) {
            }
        } catch (const InputError& e) {
            EXPECT_EQ(e.line(), line) << e.what();
            EXPECT_NE(e.message().find("record 3: "), std::string::npos) << e.what();
            return e.message();
        }
        return "no error";
    };
    EXPECT_NE(error_of(fastq(2) + "@cut\nACGT\n").find("truncated record"), std::string::npos);
    EXPECT_NE(error_of(fastq(2) + "@wrapped\nACGT\nACGT\n+\nFFFFFFFF\n", 11).find("multi-line"), std::string::npos);
    EXPECT_NE(error_of(fastq(2) + "no header\nACGT\n+\nFFFF\n").find("'@'"), std::string::npos);
}

TEST(FastqReader, HeldRecordsStayValidAcrossRefillsGrowthAndTheReadersEnd) {
    // Records of several MiB (buffer refills), one longer than the buffer (growth), every other
    // one held: held views must still read their own bytes after everything else has moved on.
    TempDir dir;
    std::string text;
    std::vector<std::string> seqs;
    for (int i = 0; i < 60000; ++i) {
        std::string seq(i == 30000 ? (3 << 20) : 40 + i % 90, "ACGT"[i % 4]);
        seq[i % seq.size()] = 'N';
        text += "@r" + std::to_string(i) + "\n" + seq + "\n+\n" + std::string(seq.size(), static_cast<char>('!' + i % 40)) + "\n";
        seqs.push_back(std::move(seq));
    }
    write_text_file(dir / "big.fastq.gz", text);
    std::vector<std::shared_ptr<const char[]>> held;
    std::vector<FastqRecord> kept;
    {
        FastqReader reader(dir / "big.fastq.gz");
        FastqRecord rec;
        for (int i = 0; reader.next(rec); ++i)
            if (i % 2 == 0) {
                reader.hold_buffer(held);
                kept.push_back(rec);
            }
    }
    EXPECT_GT(held.size(), 2U);
    ASSERT_EQ(kept.size(), 30000U);
    for (std::size_t k = 0; k < kept.size(); ++k) {
        const std::size_t i = 2 * k;
        ASSERT_EQ(kept[k].name, "r" + std::to_string(i));
        ASSERT_EQ(kept[k].sequence, seqs[i]) << i;
        ASSERT_EQ(kept[k].quality, std::string(seqs[i].size(), static_cast<char>('!' + i % 40))) << i;
    }
}
