#include "kupffer/core/matrix_market.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "kupffer/core/errors.hpp"
#include "test_dir.hpp"

using namespace kupffer;
using kupffer::test::TempDir;

namespace {
void write(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }
}  // namespace

TEST(MatrixMarket, RoundTripsPlainAndGzip) {
    TempDir dir;
    const auto m = count_matrix_from_triplets(4, 3, {{0, 0, 1}, {3, 0, 2}, {2, 2, 300000}});
    for (const char* name : {"m.mtx", "m.mtx.gz"}) {
        write_matrix_market(dir / name, m);
        const auto back = read_matrix_market(dir / name);
        EXPECT_EQ(back.n_rows, 4U);
        EXPECT_EQ(back.n_cols, 3U);
        EXPECT_EQ(back.col_offsets, m.col_offsets);
        EXPECT_EQ(back.row_indices, m.row_indices);
        EXPECT_EQ(back.values, m.values);
        EXPECT_FALSE(std::filesystem::exists(dir / (std::string(name) + ".tmp")));
    }
}

TEST(MatrixMarket, ReadsRealCellRangerOutput) {
    const auto path = kupffer::test::shared_data("pbmc_chr21_filtered_v3/matrix.mtx.gz");
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared data not found: " << path;
    const auto m = read_matrix_market(path);
    // 507 genes of chromosome 21 x 1,107 cells (see shared/data/README.md).
    EXPECT_EQ(m.n_rows, 507U);
    EXPECT_EQ(m.n_cols, 1107U);
    EXPECT_GT(m.nnz(), 0U);
}

TEST(MatrixMarket, ErrorsNameTheFileAndLine) {
    TempDir dir;
    write(dir / "bad.mtx", "%%MatrixMarket matrix coordinate integer general\n3 3 2\n1 1 4\n1 x 2\n");
    try {
        read_matrix_market(dir / "bad.mtx");
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_EQ(e.line(), 4U);
        EXPECT_NE(std::string(e.what()).find("bad.mtx:4"), std::string::npos) << e.what();
    }
    write(dir / "short.mtx", "%%MatrixMarket matrix coordinate integer general\n3 3 2\n1 1 4\n");
    EXPECT_THROW(read_matrix_market(dir / "short.mtx"), InputError);
    write(dir / "range.mtx", "%%MatrixMarket matrix coordinate integer general\n3 3 1\n4 1 4\n");
    EXPECT_THROW(read_matrix_market(dir / "range.mtx"), InputError);
    write(dir / "nothdr.mtx", "3 3 1\n1 1 4\n");
    EXPECT_THROW(read_matrix_market(dir / "nothdr.mtx"), InputError);
    EXPECT_THROW(read_matrix_market(dir / "missing.mtx"), IoError);
}

TEST(MatrixMarket, AnEntryGivenTwiceIsAnErrorInAnyOrder) {
    TempDir dir;
    auto error_of = [&](const std::string& entries, std::size_t n) -> std::string {
        write(dir / "m.mtx", "%%MatrixMarket matrix coordinate integer general\n3 2 " + std::to_string(n) + "\n" + entries);
        try {
            read_matrix_market(dir / "m.mtx");
        } catch (const InputError& e) {
            return e.what();
        }
        return "no error";
    };
    // In column order (as 10x and kupffer write) the twin follows and is named with its line.
    EXPECT_NE(error_of("1 1 4\n2 1 5\n2 1 5\n", 3).find("m.mtx:5: row 2, column 1 listed twice"), std::string::npos);
    // Out of order it is found after reading.
    EXPECT_NE(error_of("2 1 5\n1 2 4\n2 1 1\n", 3).find("row 2, column 1 listed twice"), std::string::npos);
    EXPECT_EQ(error_of("2 1 5\n1 2 4\n1 1 1\n", 3), "no error");
    // A count beyond 32 bits says so with the value as written.
    EXPECT_NE(error_of("1 1 4294967297\n", 1).find("found '4294967297', out of range"), std::string::npos);
}
