#include "kupffer/align/records.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "kupffer/align/record_spool.hpp"
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
    // The cut shows as soon as the file is opened: the header's count against the bytes there.
    try {
        RecordReader reader(dir / "cut.kpf");
        ADD_FAILURE() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("announces 3 records, the file holds 2"), std::string::npos) << e.what();
    }
    // A header whose class count asks for more than the file holds is refused before anything is
    // allocated for it (libFuzzer found the out-of-memory: tests/fuzz/regressions/records/).
    {
        std::string huge = bytes.substr(0, 8 + 4 * 3);  // magic, version, barcode and UMI lengths
        const std::uint32_t genes = 0, classes = 0xA4000000U;
        huge.append(reinterpret_cast<const char*>(&genes), 4).append(reinterpret_cast<const char*>(&classes), 4);
        std::ofstream(dir / "huge.kpf", std::ios::binary).write(huge.data(), static_cast<std::streamsize>(huge.size()));
        try {
            (void)read_records(dir / "huge.kpf");
            ADD_FAILURE() << "no error";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("class count"), std::string::npos) << e.what();
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

TEST(RecordSpool, SpilledRunsMergeIntoTheCanonicalFile) {
    // Random records (many repeats, some waiting for barcode correction, some of those dropped),
    // spooled with budgets from tiny to unlimited: the file is always what canonicalize makes.
    TempDir dir;
    RecordFile header;
    header.gene_ids = {"G0", "G1", "G2", "G3"};
    header.gene_names = {"A", "B", "C", "D"};
    header.eq_classes = {{3}, {0, 1}, {1}, {0}, {2}, {0, 1}, {2, 3}};  // class 5 repeats class 1's genes
    std::vector<Record> records;
    std::vector<std::uint64_t> resolved;
    std::vector<char> corrected;
    std::uint64_t x = 42;
    auto next = [&](std::uint64_t n) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        return (x >> 33) % n;
    };
    for (int i = 0; i < 5000; ++i) {
        Record r{next(40), next(30), static_cast<std::uint32_t>(next(6)), static_cast<std::uint32_t>(next(3)), 1, 0};
        if (next(10) == 0) {  // waits for correction: dropped, or resolved to some barcode
            r.barcode = kPendingBarcode | resolved.size();
            resolved.push_back(next(4) == 0 ? kDroppedBarcode : next(40));
            corrected.push_back(static_cast<char>(next(2)));
        }
        records.push_back(r);
    }
    // The reference: resolve, drop, canonicalize.
    RecordFile expected = header;
    for (auto r : records) {
        if (r.barcode & kPendingBarcode) {
            const auto i = r.barcode & ~kPendingBarcode;
            if (resolved[i] == kDroppedBarcode) continue;
            r.barcode = resolved[i];
            if (corrected[i]) r.flags |= kBarcodeCorrected;
        }
        expected.records.push_back(r);
    }
    canonicalize(expected);
    write_records(dir / "expected.kpf", expected);
    const auto bytes = [](const std::filesystem::path& p) {
        std::ifstream in(p, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    for (std::size_t budget : {std::size_t{3}, std::size_t{64}, std::size_t{1000}, std::size_t{0}}) {
        for (int threads : {1, 2, 3}) {
            const auto out = dir / ("spool" + std::to_string(budget) + ".kpf");
            RecordSpool spool(out, budget, threads);
            for (const auto& r : records) spool.add(r);
            if (budget == 3 || budget == 64) {
                EXPECT_GT(spool.runs(), 1U) << budget;
            }
            std::uint64_t observed = 0;
            const auto h = spool.finish(header, resolved, corrected, out, [&](const Record& r, const std::vector<std::uint32_t>& genes) {
                observed += r.count;
                EXPECT_EQ(genes, expected.eq_classes[r.eq_class]);
            });
            EXPECT_EQ(h.eq_classes, expected.eq_classes);
            EXPECT_EQ(bytes(out), bytes(dir / "expected.kpf")) << "budget " << budget << ", threads " << threads;
            std::uint64_t reads = 0;
            for (const auto& r : expected.records) reads += r.count;
            EXPECT_EQ(observed, reads);
        }
    }
    for (const auto& e : std::filesystem::directory_iterator(dir.path()))
        EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << e.path();
    // Kept in memory instead of written.
    RecordSpool memory({}, 0);
    for (const auto& r : records) memory.add(r);
    const auto kept = memory.finish(header, resolved, corrected, {});
    ASSERT_EQ(kept.records.size(), expected.records.size());
    for (std::size_t i = 0; i < kept.records.size(); ++i)
        EXPECT_FALSE(kept.records[i] < expected.records[i] || expected.records[i] < kept.records[i]) << i;
}
