#include "kupffer/align/records.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "kupffer/core/errors.hpp"
#include "test_dir.hpp"

using namespace kupffer;
using namespace kupffer::align;
using kupffer::test::TempDir;

namespace {
RecordFile example() {
    RecordFile f;
    f.gene_ids = {"G1", "G2", "G3"};
    f.gene_names = {"A", "B", "C"};
    f.eq_classes = {{2}, {0, 1}, {0}, {1}};  // class 3 unused
    f.records = {{5, 9, 1, 0, 2, 0}, {5, 9, 1, 0, 3, 0}, {1, 7, 0, 1, 1, 0}, {5, 2, 2, 0, 1, 0}};
    return f;
}
}  // namespace

TEST(Records, CanonicalFormSortsMergesAndRenumbersClassesByGeneList) {
    auto f = example();
    canonicalize(f);
    EXPECT_EQ(f.eq_classes, (std::vector<std::vector<std::uint32_t>>{{0}, {0, 1}, {2}}));
    ASSERT_EQ(f.records.size(), 3U);
    EXPECT_EQ(f.records[0].barcode, 1U);
    EXPECT_EQ(f.records[0].eq_class, 2U);  // was class 0 = {2}
    EXPECT_EQ(f.records[2].count, 5U);     // two equal keys merged
    EXPECT_EQ(f.records[2].eq_class, 1U);  // {0, 1}
    // Input order does not matter.
    auto g = example();
    std::swap(g.records[0], g.records[3]);
    std::swap(g.eq_classes[0], g.eq_classes[3]);
    for (auto& r : g.records) r.eq_class = r.eq_class == 0 ? 3 : r.eq_class == 3 ? 0 : r.eq_class;
    canonicalize(g);
    EXPECT_EQ(g.eq_classes, f.eq_classes);
    ASSERT_EQ(g.records.size(), f.records.size());
    for (std::size_t i = 0; i < f.records.size(); ++i) EXPECT_FALSE(g.records[i] < f.records[i] || f.records[i] < g.records[i]);
}

TEST(Records, CorruptOrTruncatedFilesAreRejected) {
    TempDir dir;
    auto f = example();
    canonicalize(f);
    write_records(dir / "r.kpf", f);
    const auto back = read_records(dir / "r.kpf");
    EXPECT_EQ(back.records.size(), 3U);
    std::string bytes;
    {
        std::ifstream in(dir / "r.kpf", std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::ofstream(dir / "cut.kpf", std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() - 10));
    EXPECT_THROW(read_records(dir / "cut.kpf"), InputError);
    {
        // Streamed, the cut shows when the records run out, naming the record.
        RecordReader reader(dir / "cut.kpf");
        EXPECT_EQ(reader.size(), 3U);
        std::vector<Record> block;
        EXPECT_EQ(reader.read(block, 2), 2U);
        try {
            reader.read(block, 2);
            ADD_FAILURE() << "no error";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("record 3 of 3"), std::string::npos) << e.what();
        }
    }
    // Out of order records are refused as they stream by.
    {
        auto bad = f;
        std::swap(bad.records[0], bad.records[2]);
        write_records(dir / "unsorted.kpf", bad);
        RecordReader reader(dir / "unsorted.kpf");
        std::vector<Record> block;
        EXPECT_THROW(while (reader.read(block, 1)) {}, InputError);
    }
    std::ofstream(dir / "junk.kpf") << "not a record file at all";
    EXPECT_THROW(read_records(dir / "junk.kpf"), InputError);
    EXPECT_THROW(read_records(dir / "missing.kpf"), IoError);
}
