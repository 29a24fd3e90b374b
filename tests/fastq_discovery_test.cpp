#include "kupffer/align/fastq_discovery.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "kupffer/core/errors.hpp"
#include "test_dir.hpp"

using namespace kupffer;
using namespace kupffer::align;
using kupffer::test::TempDir;
namespace fs = std::filesystem;

namespace {
void touch(const fs::path& p) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "";
}
}  // namespace

TEST(FastqName, ParsesBcl2fastqAndBclConvertNames) {
    auto n = parse_fastq_name("ALF-RM03-D3_S3_L002_R1_001.fastq.gz");
    ASSERT_TRUE(n.valid);
    EXPECT_EQ(n.sample, "ALF-RM03-D3");
    EXPECT_EQ(n.number, 3U);
    EXPECT_EQ(n.lane, 2U);
    EXPECT_EQ(n.read, "R1");
    n = parse_fastq_name("my_sample_name_S12_I1_001.fastq.gz");  // --no-lane-splitting; underscores in name
    ASSERT_TRUE(n.valid);
    EXPECT_EQ(n.sample, "my_sample_name");
    EXPECT_EQ(n.lane, 0U);
    EXPECT_EQ(n.read, "I1");
    EXPECT_TRUE(parse_fastq_name("x_S1_L001_R2_001.fq").valid);
    EXPECT_FALSE(parse_fastq_name("reads_1.fastq.gz").valid);
    EXPECT_FALSE(parse_fastq_name("x_S1_L001_R3_001.fastq.gz").valid);
    EXPECT_FALSE(parse_fastq_name("Undetermined_S0_L001_R1_001.fastq.gz.md5").valid);
}

TEST(DiscoverFastqs, FindsSamplesAndLanesFlatOrNested) {
    TempDir dir;
    for (int lane : {2, 1})
        for (const char* r : {"R1", "R2", "I1"}) touch(dir / "run" / ("A_S1_L00" + std::to_string(lane) + "_" + r + "_001.fastq.gz"));
    for (const char* r : {"R1", "R2"}) touch(dir / "run/B" / (std::string("B_S2_L001_") + r + "_001.fastq.gz"));
    touch(dir / "run/Reports/html/index.html");
    const auto samples = discover_fastqs(dir / "run");
    ASSERT_EQ(samples.size(), 2U);
    EXPECT_EQ(samples[0].name, "A");
    ASSERT_EQ(samples[0].lanes.size(), 2U);
    EXPECT_EQ(samples[0].lanes[0].lane, 1U);
    EXPECT_EQ(samples[0].lanes[1].r2.filename(), "A_S1_L002_R2_001.fastq.gz");
    EXPECT_FALSE(samples[0].lanes[0].i1.empty());
    EXPECT_EQ(samples[1].lanes[0].r1.parent_path().filename(), "B");
    EXPECT_TRUE(samples[1].lanes[0].i1.empty());
    EXPECT_EQ(discover_fastqs(dir / "run", {"B"}).size(), 1U);
    EXPECT_THROW(discover_fastqs(dir / "run", {"C"}), OptionError);
}

TEST(DiscoverFastqs, MissingMateOrNoFastqIsAClearError) {
    TempDir dir;
    touch(dir / "run/A_S1_L001_R1_001.fastq.gz");
    try {
        discover_fastqs(dir / "run");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("R2"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("A_S1_L001_R1_001.fastq.gz"), std::string::npos) << e.what();
    }
    fs::create_directories(dir / "empty");
    EXPECT_THROW(discover_fastqs(dir / "empty"), OptionError);
    EXPECT_THROW(discover_fastqs(dir / "nowhere"), OptionError);
    touch(dir / "dup/x/A_S1_L001_R1_001.fastq.gz");
    touch(dir / "dup/y/A_S1_L001_R1_001.fastq.gz");
    EXPECT_THROW(discover_fastqs(dir / "dup"), InputError);
}

TEST(SampleFromFiles, PairsExplicitLists) {
    TempDir dir;
    touch(dir / "a1.fq");
    touch(dir / "a2.fq");
    const auto s = sample_from_files("a", {dir / "a1.fq"}, {dir / "a2.fq"});
    ASSERT_EQ(s.lanes.size(), 1U);
    EXPECT_THROW(sample_from_files("a", {dir / "a1.fq"}, {}), OptionError);
    EXPECT_THROW(sample_from_files("a", {dir / "a1.fq"}, {dir / "missing.fq"}), OptionError);
}

TEST(SampleFromFiles, RefusesOneFileAsBothReads) {
    // Issue 17: R1 given as both R1 and R2 finished with 0 records and exit 0.
    TempDir dir;
    touch(dir / "a1.fq");
    std::filesystem::create_symlink(dir / "a1.fq", dir / "link.fq");
    for (const auto& r2 : {dir / "a1.fq", dir / "link.fq"}) {
        try {
            (void)sample_from_files("a", {dir / "a1.fq"}, {r2});
            ADD_FAILURE() << "accepted " << r2;
        } catch (const OptionError& e) {
            EXPECT_NE(std::string(e.what()).find("is given as both R1 and R2"), std::string::npos) << e.what();
        }
    }
}
