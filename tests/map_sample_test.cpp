#include "kupffer/align/map_sample.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/fastq_reader.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/core/text_reader.hpp"
#include "kupffer/simulate/simulate.hpp"
#include "study_fixture.hpp"

using namespace kupffer;
using namespace kupffer::align;
using kupffer::test::TempDir;
namespace fs = std::filesystem;

namespace {

using test::study_root;

using test::study_index;

SampleFastqs first_sample() { return discover_fastqs(study_root() / "run").front(); }

std::string file_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST(BarcodeAccuracy, ReadsFromCellsGetTheirTrueBarcode) {
    // The correction map_sample performs, read by read against the simulator's truth.
    const auto sample = first_sample();
    const Whitelist whitelist = Whitelist::load(study_root() / "whitelist.txt.gz");
    ExactHitCounter counter(whitelist);
    for (const auto& lane : sample.lanes) {
        FastqReader r1(lane.r1);
        FastqRecord rec;
        while (r1.next(rec)) counter.add(rec.sequence.substr(0, 16));
    }
    const BarcodeCorrector corrector(whitelist, counter.counts());
    std::unordered_set<std::string> cells;
    for (const auto& line : read_lines(study_root() / "truth/barcodes.tsv.gz")) {
        const auto f = split(line, '\t');
        if (f[0] == sample.name && f[2] == "1") cells.emplace(f[1]);
    }
    TextReader truth(study_root() / "truth/reads" / (sample.name + ".tsv.gz"));
    std::string line;
    truth.next_line(line);
    std::uint64_t reads = 0, right = 0, wrong = 0, corrected_right = 0;
    for (const auto& lane : sample.lanes) {
        FastqReader r1(lane.r1);
        FastqRecord rec;
        while (r1.next(rec)) {
            ASSERT_TRUE(truth.next_line(line));
            const auto t = split(line, '\t');
            if (!cells.count(std::string(t[2]))) continue;
            ++reads;
            const auto m = corrector.correct(rec.sequence.substr(0, 16), rec.quality.substr(0, 16));
            if (m.status == BarcodeStatus::Rejected) continue;
            const bool ok = dna::unpack(whitelist.barcode(m.index), 16) == t[2];
            right += ok;
            wrong += !ok;
            corrected_right += ok && m.status == BarcodeStatus::Corrected;
        }
    }
    const double right_rate = static_cast<double>(right) / static_cast<double>(reads);
    const double wrong_rate = static_cast<double>(wrong) / static_cast<double>(reads);
    std::printf("reads from cells: %.5f true barcode (%.4f after correction), %.6f wrong\n", right_rate,
                static_cast<double>(corrected_right) / static_cast<double>(reads), wrong_rate);
    EXPECT_GE(right_rate, 0.995);
    EXPECT_LT(wrong_rate, 0.001);
    EXPECT_GT(corrected_right, reads / 100);  // correction did real work
}

TEST(MapSample, SameRecordBytesWithOneTwoAndEightThreads) {
    const auto sample = first_sample();
    TempDir dir;
    std::string first;
    for (int threads : {1, 2, 8}) {
        MapSampleOptions o;
        o.whitelist = study_root() / "whitelist.txt.gz";
        o.threads = threads;
        o.batch_size = 1000;  // many batches, so scheduling could reorder them
        const auto results = map_sample(sample, study_index(), o);
        const auto path = dir / ("r" + std::to_string(threads) + ".kpf");
        write_records(path, results.records);
        if (first.empty()) first = file_bytes(path);
        else EXPECT_EQ(file_bytes(path), first) << threads << " threads";
    }
}

TEST(MapSample, ProgressReportsPairsAndTheShareOfInputReadForAnEta) {
    const auto sample = first_sample();
    MapSampleOptions o;
    o.whitelist = study_root() / "whitelist.txt.gz";
    o.threads = 2;
    o.batch_size = 2000;
    std::vector<std::pair<std::uint64_t, double>> calls;
    o.on_progress = [&](std::uint64_t pairs, double fraction) { calls.emplace_back(pairs, fraction); };
    const auto results = map_sample(sample, study_index(), o);
    ASSERT_GT(calls.size(), 5U);
    for (std::size_t i = 1; i < calls.size(); ++i) {
        EXPECT_GT(calls[i].first, calls[i - 1].first);
        EXPECT_GE(calls[i].second, calls[i - 1].second);
    }
    EXPECT_EQ(calls.back().first, results.metrics.read_pairs);
    EXPECT_EQ(calls.back().second, 1.0);
    // Midway through, the share of bytes read tracks the share of pairs read (the ETA's basis):
    // within 10 points (the reader's buffer runs ahead of the records handed out).
    const auto& mid = calls[calls.size() / 2];
    const double pair_share = static_cast<double>(mid.first) / static_cast<double>(results.metrics.read_pairs);
    EXPECT_NEAR(mid.second, pair_share, 0.1);
    EXPECT_GT(mid.second, 0.0);
    EXPECT_LT(mid.second, 1.0);
}

TEST(MapSample, RecordsRoundTripAndCountEveryMappedRead) {
    const auto sample = first_sample();
    MapSampleOptions o;
    o.whitelist = study_root() / "whitelist.txt.gz";
    const auto results = map_sample(sample, study_index(), o);
    const auto& m = results.metrics;
    EXPECT_EQ(m.chemistry, "10xv3");
    EXPECT_NE(m.chemistry_reason.find("detected"), std::string::npos);
    std::uint64_t reads = 0;
    for (const auto& r : results.records.records) reads += r.count;
    EXPECT_EQ(reads, m.mapped);
    EXPECT_GT(static_cast<double>(m.mapped) / static_cast<double>(m.read_pairs), 0.9);
    EXPECT_GT(m.barcode_corrected, 0U);
    EXPECT_GT(m.unspliced, m.mapped / 20);
    // Per-lane metrics: one per lane, adding up to the sample's, each lane like the others.
    ASSERT_EQ(m.lanes.size(), sample.lanes.size());
    ASSERT_GE(m.lanes.size(), 2U);
    std::uint64_t pairs = 0, exact = 0, cdna_bases = 0;
    for (std::size_t l = 0; l < m.lanes.size(); ++l) {
        const auto& lane = m.lanes[l];
        EXPECT_EQ(lane.lane, sample.lanes[l].lane);
        EXPECT_EQ(lane.r1, sample.lanes[l].r1.filename().string());
        EXPECT_GT(static_cast<double>(lane.cdna_mapped) / static_cast<double>(lane.read_pairs), 0.9);
        pairs += lane.read_pairs, exact += lane.barcode_exact, cdna_bases += lane.cdna_bases;
    }
    EXPECT_EQ(pairs, m.read_pairs);
    EXPECT_EQ(exact, m.barcode_exact);
    EXPECT_EQ(cdna_bases, m.cdna_bases);
    EXPECT_NE(metrics_json(m).find("\"lanes\""), std::string::npos);
    TempDir dir;
    write_records(dir / "r.kpf", results.records);
    const auto back = read_records(dir / "r.kpf");
    EXPECT_EQ(back.records.size(), results.records.records.size());
    EXPECT_EQ(back.eq_classes, results.records.eq_classes);
    EXPECT_EQ(back.gene_ids, study_index().gene_ids());
    // Bounded memory: with a budget of 2,000 records the records spill to sorted runs and are
    // merged into exactly the same file, with the same metrics.
    o.records = dir / "spilled.kpf";
    o.max_records_in_memory = 2000;
    o.threads = 1;
    const auto spilled = map_sample(sample, study_index(), o);
    EXPECT_GT(spilled.record_runs, 10U);
    EXPECT_TRUE(spilled.records.records.empty());
    EXPECT_EQ(spilled.record_count, results.records.records.size());
    EXPECT_EQ(metrics_json(spilled.metrics), metrics_json(m));
    const auto bytes = [](const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    EXPECT_EQ(bytes(dir / "spilled.kpf"), bytes(dir / "r.kpf"));
    for (const auto& e : fs::directory_iterator(dir.path())) EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << e.path();
    // Distinct (barcode, UMI) among true cells ~ the true molecule count.
    std::set<std::pair<std::uint64_t, std::uint64_t>> molecules;
    for (const auto& r : back.records) molecules.emplace(r.barcode, r.umi);
    EXPECT_GT(molecules.size(), 0U);
}

TEST(MapSample, InfersTheWhitelistWhenNoneIsGiven) {
    const auto sample = first_sample();
    MapSampleOptions o;
    const auto results = map_sample(sample, study_index(), o);
    EXPECT_EQ(results.metrics.whitelist, "inferred");
    // Every true cell barcode is in the inferred list.
    const auto lines = read_lines(study_root() / "truth/barcodes.tsv.gz");
    std::set<std::uint64_t> listed;
    for (const auto& r : results.records.records) listed.insert(r.barcode);
    std::size_t cells = 0, found = 0;
    for (const auto& line : lines) {
        const auto f = split(line, '\t');
        if (f[0] != sample.name || f[2] != "1") continue;
        ++cells;
        found += listed.count(*dna::pack(f[1]));
    }
    EXPECT_GT(cells, 100U);
    EXPECT_EQ(found, cells);
    EXPECT_GT(static_cast<double>(results.metrics.barcode_exact + results.metrics.barcode_corrected) /
                  static_cast<double>(results.metrics.read_pairs), 0.95);
}

namespace {
std::string fastq_records(int n, int length, const std::string& prefix = "r") {
    std::string s;
    for (int i = 0; i < n; ++i) s += "@" + prefix + std::to_string(i) + "\n" + std::string(length, 'A') + "\n+\n" + std::string(length, 'F') + "\n";
    return s;
}
template <class F>
void expect_input_error(F&& f, const std::string& file_part) {
    try {
        f();
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(file_part), std::string::npos) << e.what();
    }
}
}  // namespace

TEST(MapSample, BadInputIsAClearErrorNamingTheFile) {
    TempDir dir;
    MapSampleOptions o;
    o.chemistry = "10xv3";
    // R2 shorter than R1.
    write_text_file(dir / "a_R1.fq", fastq_records(10, 28));
    write_text_file(dir / "a_R2.fq", fastq_records(9, 90));
    expect_input_error([&] { map_sample(sample_from_files("a", {dir / "a_R1.fq"}, {dir / "a_R2.fq"}), study_index(), o); }, "a_R2.fq");
    // Names out of step.
    write_text_file(dir / "b_R2.fq", fastq_records(10, 90, "other"));
    expect_input_error([&] { map_sample(sample_from_files("b", {dir / "a_R1.fq"}, {dir / "b_R2.fq"}), study_index(), o); }, "out of step");
    // R1 too short for the chemistry.
    write_text_file(dir / "c_R1.fq", fastq_records(10, 20));
    write_text_file(dir / "c_R2.fq", fastq_records(10, 90));
    expect_input_error([&] { map_sample(sample_from_files("c", {dir / "c_R1.fq"}, {dir / "c_R2.fq"}), study_index(), o); }, "c_R1.fq");
    // Empty files.
    write_text_file(dir / "e_R1.fq", "");
    write_text_file(dir / "e_R2.fq", "");
    o.chemistry = "auto";
    expect_input_error([&] { map_sample(sample_from_files("e", {dir / "e_R1.fq"}, {dir / "e_R2.fq"}), study_index(), o); }, "e_R1.fq");
    // Truncated gzip.
    const auto sample = first_sample();
    const std::string bytes = file_bytes(sample.lanes[0].r2);
    std::ofstream(dir / "t_R2.fastq.gz", std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
    o.whitelist = study_root() / "whitelist.txt.gz";
    expect_input_error([&] { map_sample(sample_from_files("t", {sample.lanes[0].r1}, {dir / "t_R2.fastq.gz"}), study_index(), o); },
                       "t_R2.fastq.gz");
}

TEST(MapSample, WrongChemistryIsReportedNotGuessed) {
    // 10x 3' reads, but only 5' is allowed by the whitelist folder's contents: nothing fits.
    TempDir dir;
    fs::create_directories(dir / "wl");
    fs::copy_file(study_root() / "whitelist.txt.gz", dir / "wl/737K-august-2016.txt.gz");
    MapSampleOptions o;
    o.whitelist = dir / "wl";
    auto sample = first_sample();
    sample.lanes.resize(1);
    // Only v2/5' have a whitelist in the folder; R1 is 28 bases so v2 fits by length, and 3' reads
    // map sense, so 10xv2 is chosen; asking for 5' explicitly maps almost nothing.
    const auto detected = map_sample(sample, study_index(), o);
    EXPECT_EQ(detected.metrics.chemistry, "10xv2");
    o.chemistry = "10x5p";
    const auto forced = map_sample(sample, study_index(), o);
    EXPECT_LT(forced.metrics.mapped, forced.metrics.read_pairs / 20);
    // With a whitelist that matches nothing, detection fails clearly.
    write_text_file(dir / "none.txt", std::string(16, 'C') + "\n");
    o.chemistry = "auto";
    o.whitelist = dir / "none.txt";
    try {
        map_sample(sample, study_index(), o);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("no chemistry fits"), std::string::npos) << e.what();
    }
}
