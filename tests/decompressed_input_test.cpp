#include "kupffer/core/decompressed_input.hpp"

#include <gtest/gtest.h>
#include <htslib/bgzf.h>
#include <zlib.h>

#include <fstream>
#include <random>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"
#include "test_dir.hpp"

using namespace kupffer;
using kupffer::test::TempDir;

namespace {

/// FASTQ-like text with random bases and qualities, so it compresses about as real reads do.
std::string reads_text(int n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string text;
    for (int i = 0; i < n; ++i) {
        text += "@read" + std::to_string(i) + " 2:N:0:ACGT\n";
        for (int j = 0; j < 90; ++j) text += "ACGT"[rng() % 4];
        text += "\n+\n";
        for (int j = 0; j < 90; ++j) text += static_cast<char>(rng() % 8 == 0 ? '#' + rng() % 20 : 'F');
        text += '\n';
    }
    return text;
}

/// One gzip member written by zlib (as gzip(1) and most sequencer software write them).
std::string zlib_gzip(const std::string& text) {
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out(deflateBound(&z, text.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_all(const std::filesystem::path& path, std::size_t chunk) {
    DecompressedInput input(path);
    std::string out, buffer(chunk, '\0');
    while (const std::size_t n = input.read(buffer.data(), chunk)) out.append(buffer, 0, n);
    return out;
}

}  // namespace

TEST(DecompressedInput, InflatesOneLargeMemberWhateverTheReadSize) {
    TempDir dir;
    const std::string text = reads_text(40'000, 1);  // ~8 MB, >2 MiB compressed: many input refills
    const std::string z = zlib_gzip(text);
    ASSERT_GT(z.size(), 2U << 20);
    write_bytes(dir / "r.fastq.gz", z);
    for (std::size_t chunk : {std::size_t{1} << 22, std::size_t{65'537}, std::size_t{4'093}}) EXPECT_EQ(read_all(dir / "r.fastq.gz", chunk), text) << chunk;
    const std::string small = reads_text(300, 2);
    write_bytes(dir / "s.fastq.gz", zlib_gzip(small));
    EXPECT_EQ(read_all(dir / "s.fastq.gz", 1), small);  // one byte at a time
    EXPECT_TRUE(DecompressedInput(dir / "s.fastq.gz").compressed());
}

TEST(DecompressedInput, ReadsEveryMemberOfConcatenatedAndBgzfFiles) {
    TempDir dir;
    const std::string a = reads_text(5'000, 3), b = reads_text(7'000, 4), c = reads_text(1, 5);
    write_bytes(dir / "cat.gz", zlib_gzip(a) + gzip_compress(b) + zlib_gzip("") + zlib_gzip(c));
    EXPECT_EQ(read_all(dir / "cat.gz", 1 << 16), a + b + c);
    // BGZF (bgzip, HTSlib): 64 KiB members with an extra header field, then an empty EOF member.
    BGZF* w = bgzf_open((dir / "r.fastq.bgz").c_str(), "w6");
    ASSERT_NE(w, nullptr);
    ASSERT_EQ(bgzf_write(w, a.data(), a.size()), static_cast<ssize_t>(a.size()));
    ASSERT_EQ(bgzf_close(w), 0);
    EXPECT_EQ(read_all(dir / "r.fastq.bgz", 10'000), a);
}

TEST(DecompressedInput, PlainAndEmptyFilesPassThrough) {
    TempDir dir;
    const std::string text = reads_text(2'000, 6);
    write_bytes(dir / "r.fastq", text);
    EXPECT_EQ(read_all(dir / "r.fastq", 3'000), text);
    EXPECT_FALSE(DecompressedInput(dir / "r.fastq").compressed());
    write_bytes(dir / "empty", "");
    EXPECT_EQ(read_all(dir / "empty", 100), "");
    EXPECT_THROW(DecompressedInput(dir / "missing.gz"), IoError);
}

TEST(DecompressedInput, EveryTruncationIsAnErrorNamingTheFile) {
    TempDir dir;
    const std::string z = zlib_gzip(reads_text(40, 7));
    // Cut anywhere from the header to the last byte of the trailer: never a silent short read.
    for (std::size_t cut = 2; cut < z.size(); ++cut) {
        write_bytes(dir / "cut.gz", z.substr(0, cut));
        try {
            read_all(dir / "cut.gz", 1 << 16);
            ADD_FAILURE() << "no error when cut at " << cut << " of " << z.size();
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("cut.gz"), std::string::npos) << e.what();
        }
    }
    // A second member cut short after a complete first one.
    write_bytes(dir / "two.gz", z + z.substr(0, z.size() / 2));
    EXPECT_THROW(read_all(dir / "two.gz", 1 << 16), InputError);
}

TEST(DecompressedInput, CorruptDataAndChecksumsAreErrors) {
    TempDir dir;
    const std::string z = zlib_gzip(reads_text(2'000, 8));
    std::string bad_crc = z;
    bad_crc[bad_crc.size() - 6] ^= 0x5a;  // CRC-32 in the trailer
    write_bytes(dir / "crc.gz", bad_crc);
    try {
        read_all(dir / "crc.gz", 1 << 16);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(e.message().find("CRC-32"), std::string::npos) << e.what();
    }
    std::string bad_length = z;
    bad_length[bad_length.size() - 2] ^= 0x01;  // ISIZE in the trailer
    write_bytes(dir / "len.gz", bad_length);
    EXPECT_THROW(read_all(dir / "len.gz", 1 << 16), InputError);
    // Damage inside the compressed data: invalid codes or, failing that, a wrong CRC.
    for (std::size_t at : {z.size() / 4, z.size() / 2, z.size() * 3 / 4}) {
        std::string bad = z;
        bad[at] = static_cast<char>(~bad[at]);
        write_bytes(dir / "bad.gz", bad);
        EXPECT_THROW(read_all(dir / "bad.gz", 1 << 16), InputError) << at;
    }
}

TEST(DecompressedInput, ZeroPaddingAfterTheLastMemberIsSkippedOtherBytesAreNot) {
    TempDir dir;
    const std::string text = reads_text(100, 9);
    write_bytes(dir / "pad.gz", zlib_gzip(text) + std::string(512, '\0'));
    EXPECT_EQ(read_all(dir / "pad.gz", 1 << 16), text);
    write_bytes(dir / "junk.gz", zlib_gzip(text) + "trailing junk");
    try {
        read_all(dir / "junk.gz", 1 << 16);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(e.message().find("not gzip"), std::string::npos) << e.what();
    }
}
