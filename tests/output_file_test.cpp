#include "kupffer/core/output_file.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/text_reader.hpp"
#include "test_dir.hpp"

using namespace kupffer;
using kupffer::test::TempDir;

TEST(AtomicFile, AppearsOnlyOnCommit) {
    TempDir dir;
    {
        AtomicFile f(dir / "out.txt");
        f.write("hello\n");
        EXPECT_FALSE(std::filesystem::exists(dir / "out.txt"));
        f.commit();
    }
    EXPECT_EQ(read_lines(dir / "out.txt"), std::vector<std::string>{"hello"});
}

TEST(AtomicFile, UncommittedFileLeavesNothingBehind) {
    TempDir dir;
    {
        AtomicFile f(dir / "out.txt");
        f.write("half");
    }
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(AtomicFile, UnwritableLocationIsAnIoError) {
    EXPECT_THROW(AtomicFile("/nonexistent-folder/x.txt"), IoError);
}

TEST(AtomicFile, FullDiskIsReportedAtCommitOrWrite) {
    if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "/dev/full not available";
    // /dev/full accepts opens and fails every write with ENOSPC: what a full disk looks like.
    // AtomicFile writes to "<path>.tmp", so point that at /dev/full through a symlink.
    TempDir dir;
    std::filesystem::create_symlink("/dev/full", dir / "out.bin.tmp");
    try {
        AtomicFile f(dir / "out.bin");
        f.write(std::string(1 << 16, 'x'));
        f.commit();
        FAIL() << "expected IoError";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("No space left"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "out.bin"));
}

TEST(GzipWriter, ConcatenatedMembersReadBackAsOneFile) {
    TempDir dir;
    std::string expected;
    {
        GzipWriter out(dir / "x.txt.gz");
        for (int i = 0; i < 50'000; ++i) out.write("line " + std::to_string(i) + "\n");
        out.write_member(gzip_compress("precompressed\n"));
        out.write("tail\n");
        out.commit();
    }
    const auto lines = read_lines(dir / "x.txt.gz");
    ASSERT_EQ(lines.size(), 50'002U);
    EXPECT_EQ(lines[49'999], "line 49999");
    EXPECT_EQ(lines[50'000], "precompressed");
    EXPECT_EQ(lines[50'001], "tail");
}

TEST(StagingDirectory, RenamesIntoPlaceOnlyWhenComplete) {
    TempDir dir;
    const auto target = dir / "study";
    {
        StagingDirectory staging(target, false);
        write_text_file(staging.staging() / "a.txt", "a\n");
        EXPECT_FALSE(std::filesystem::exists(target));
        staging.commit();
    }
    EXPECT_TRUE(std::filesystem::exists(target / "a.txt"));
    EXPECT_FALSE(std::filesystem::exists(dir / "study.partial"));
    // A non-empty target is refused unless overwriting, and overwriting replaces only kupffer's own
    // outputs: a folder of the user's files is never deleted.
    EXPECT_THROW(StagingDirectory(target, false), OptionError);
    EXPECT_THROW(StagingDirectory(target, true), OptionError);
    EXPECT_TRUE(std::filesystem::exists(target / "a.txt"));
    write_text_file(target / "kupffer_index.json", "{}\n");
    {
        StagingDirectory staging(target, true);
        write_text_file(staging.staging() / "b.txt", "b\n");
    }  // not committed (an error): the old output stays, the attempt is removed
    EXPECT_TRUE(std::filesystem::exists(target / "a.txt"));
    EXPECT_FALSE(std::filesystem::exists(dir / "study.partial"));
}

TEST(TemporaryFolder, RemovedUnlessReleasedAndBySignalCleanup) {
    TempDir dir;
    {
        TemporaryFolder t(dir / "a.partial");
        write_text_file(t.path() / "x.txt", "x\n");
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "a.partial"));
    // What a signal handler does: every live temporary (folders and .tmp files) goes.
    TemporaryFolder t(dir / "b.partial");
    AtomicFile f(dir / "c.txt");
    f.write("c");
    remove_temporaries();
    EXPECT_FALSE(std::filesystem::exists(dir / "b.partial"));
    EXPECT_FALSE(std::filesystem::exists(dir / "c.txt.tmp"));
}

TEST(CreatedFolder, AFailedRunLeavesNoEmptyOutputFolder) {
    TempDir dir;
    { CreatedFolder out(dir / "out" / "inner"); }
    EXPECT_FALSE(std::filesystem::exists(dir / "out" / "inner"));
    {
        CreatedFolder out(dir / "kept");
        out.keep();
    }
    EXPECT_TRUE(std::filesystem::exists(dir / "kept"));
    {  // not emptied: what a run wrote stays
        CreatedFolder out(dir / "written");
        write_text_file(dir / "written" / "a.txt", "a\n");
    }
    EXPECT_TRUE(std::filesystem::exists(dir / "written" / "a.txt"));
    write_text_file(dir / "file", "mine\n");
    EXPECT_THROW(CreatedFolder(dir / "file"), OptionError);
}
