#include "kupffer/simulate/simulate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/fastq_reader.hpp"
#include "kupffer/core/matrix_market.hpp"
#include "kupffer/core/text_reader.hpp"
#include "study_fixture.hpp"

using namespace kupffer;
using namespace kupffer::simulate;
namespace fs = std::filesystem;

namespace {

SimulateOptions small_study(std::uint64_t seed = 11, int threads = 2) { return test::small_study_options(seed, threads); }

std::string file_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The arguments of the study CTest's fixture `fixture.simulate_study` writes through the CLI;
/// keep them in step with small_study() (tests/CMakeLists.txt passes the same values).
struct Study {
    test::TempDir dir;
    fs::path root;
    std::vector<std::string> samples;                // from samplesheet.csv
    std::vector<std::vector<std::string>> barcodes;  // truth/barcodes.tsv.gz rows
    std::map<std::string, std::size_t> gene_index;   // by name
};

/// The study under test: the fixture's output if CTest set KUPFFER_TEST_STUDY, else made here
/// (when the test binary is run by hand).
Study& study() {
    static Study* s = [] {
        auto* st = new Study;
        if (const char* given = std::getenv("KUPFFER_TEST_STUDY"); given && fs::exists(given)) {
            st->root = given;
        } else {
            st->root = st->dir / "study";
            simulate::simulate(small_study(), st->root);
        }
        TextReader reader(st->root / "truth/barcodes.tsv.gz");
        std::string line;
        reader.next_line(line);
        while (reader.next_line(line)) {
            std::vector<std::string> row;
            for (auto f : split(line, '\t')) row.emplace_back(f);
            st->barcodes.push_back(std::move(row));
        }
        std::size_t i = 0;
        for (const auto& l : read_lines(st->root / "truth/genes.tsv"))
            if (i++ > 0) st->gene_index[std::string(split(l, '\t')[1])] = i - 2;
        i = 0;
        for (const auto& l : read_lines(st->root / "samplesheet.csv"))
            if (i++ > 0) st->samples.emplace_back(split(l, ',')[0]);
        return st;
    }();
    return *s;
}

/// Read pairs of a sample according to truth/barcodes.tsv.gz.
std::uint64_t truth_read_pairs(const std::string& sample) {
    std::uint64_t n = 0;
    for (const auto& row : study().barcodes)
        if (row[0] == sample) n += std::stoull(row[12]);
    return n;
}

/// Mean count of `gene` per cell of the given types in each group, from truth/counts.
std::map<std::string, double> mean_per_cell(const fs::path& root, std::size_t gene, const std::set<std::string>& types) {
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> truth;  // (sample, barcode) -> row
    TextReader reader(root / "truth/barcodes.tsv.gz");
    std::string line;
    reader.next_line(line);
    while (reader.next_line(line)) {
        std::vector<std::string> row;
        for (auto f : split(line, '\t')) row.emplace_back(f);
        truth[{row[0], row[1]}] = row;
    }
    std::map<std::string, double> sum, cells;
    for (const auto& entry : fs::directory_iterator(root / "truth/counts")) {
        const std::string sample = entry.path().filename();
        const auto m = read_matrix_market(entry.path() / "matrix.mtx.gz");
        const auto bcs = read_lines(entry.path() / "barcodes.tsv.gz");
        for (std::uint32_t c = 0; c < m.n_cols; ++c) {
            const auto& row = truth.at({sample, bcs[c].substr(0, 16)});
            if (row[2] != "1" || !types.count(row[3]) || row[8] == "1") continue;
            cells[row[5]] += 1;
            auto rows = m.column_rows(c);
            auto vals = m.column_values(c);
            for (std::size_t k = 0; k < rows.size(); ++k)
                if (rows[k] == gene) sum[row[5]] += vals[k];
        }
    }
    std::map<std::string, double> mean;
    for (auto& [group, n] : cells) mean[group] = sum[group] / n;
    return mean;
}

const std::set<std::string> kMonocyteAxis = {"classical_monocyte", "mo_macrophage"};

}  // namespace

TEST(Simulate, WritesARunFolderAsBcl2fastqDoes) {
    const auto& s = study();
    EXPECT_EQ(s.samples.size(), 6U);  // 3 groups x 2 animals x 1 timepoint
    for (const auto& sample : s.samples) {
        for (int lane = 1; lane <= 2; ++lane)
            for (const char* read : {"R1", "R2", "I1"}) {
                bool found = false;
                for (const auto& e : fs::directory_iterator(s.root / "run")) {
                    const std::string name = e.path().filename();
                    found |= name.rfind(sample + "_S", 0) == 0 &&
                             name.find("_L00" + std::to_string(lane) + "_" + read + "_001.fastq.gz") != std::string::npos;
                }
                EXPECT_TRUE(found) << sample << " lane " << lane << " " << read;
            }
    }
    const auto sheet = read_lines(s.root / "samplesheet.csv");
    EXPECT_EQ(sheet[0], "sample,group,timepoint,animal");
    EXPECT_EQ(sheet.size(), 7U);
    std::map<std::string, std::set<std::string>> animals;
    for (std::size_t i = 1; i < sheet.size(); ++i) {
        const auto f = split(sheet[i], ',');
        animals[std::string(f[1])].insert(std::string(f[3]));
    }
    EXPECT_EQ(animals.size(), 3U);
    for (auto& [group, a] : animals) EXPECT_GE(a.size(), 2U) << group;
    for (auto sub : {"reference/genome.fa", "reference/genes.gtf", "whitelist.txt.gz", "kupffer_simulate.json", "truth/genes.tsv"})
        EXPECT_TRUE(fs::exists(s.root / sub)) << sub;
    EXPECT_FALSE(fs::exists(s.root.string() + ".partial"));
}

TEST(Simulate, SameSeedSameBytesWhateverTheThreadCount) {
    // Under CTest the study came from the CLI with 2 threads; this one is made with 1.
    const auto& s = study();
    test::TempDir other;
    simulate::simulate(small_study(11, 1), other / "again");
    std::size_t compared = 0;
    for (const auto& e : fs::recursive_directory_iterator(s.root)) {
        if (!e.is_regular_file()) continue;
        const auto rel = fs::relative(e.path(), s.root);
        ASSERT_TRUE(fs::exists(other / "again" / rel)) << rel;
        EXPECT_EQ(file_bytes(e.path()), file_bytes(other / "again" / rel)) << rel;
        ++compared;
    }
    EXPECT_GT(compared, 50U);
}

TEST(Simulate, DifferentSeedDifferentReads) {
    test::TempDir other;
    auto o = small_study(12);
    o.groups = {"control"};
    o.animals_per_group = 1;
    simulate::simulate(o, other / "s");
    const auto& s = study();
    EXPECT_NE(file_bytes(s.root / "reference/genome.fa"), file_bytes(other / "s/reference/genome.fa"));
}

TEST(Simulate, ReadsAgreeWithTheirTruth) {
    const auto& s = study();
    const std::string sample = s.samples[2];
    std::unordered_set<std::string> whitelist;
    for (auto& l : read_lines(s.root / "whitelist.txt.gz")) whitelist.insert(l);
    std::unordered_map<std::string, std::string> chroms;
    {
        TextReader fa(s.root / "reference/genome.fa");
        std::string line, name;
        while (fa.next_line(line)) {
            if (line[0] == '>') name = line.substr(1);
            else chroms[name] += line;
        }
    }
    TextReader truth(s.root / "truth/reads" / (sample + ".tsv.gz"));
    std::string line;
    truth.next_line(line);
    std::uint64_t reads = 0, barcode_ok = 0, checked_bases = 0, mismatches = 0;
    for (int lane = 1; lane <= 2; ++lane) {
        const std::string base = (s.root / "run" / (sample + "_S3_L00" + std::to_string(lane) + "_")).string();
        FastqReader r1(base + "R1_001.fastq.gz"), r2(base + "R2_001.fastq.gz"), i1(base + "I1_001.fastq.gz");
        FastqRecord a, b, c;
        while (r1.next(a)) {
            ASSERT_TRUE(r2.next(b));
            ASSERT_TRUE(i1.next(c));
            ASSERT_TRUE(truth.next_line(line));
            const auto t = split(line, '\t');
            ASSERT_EQ(a.name, b.name);
            ASSERT_EQ(a.name, c.name);
            ASSERT_EQ(a.name, t[0]);
            ASSERT_EQ(a.sequence.size(), 28U);
            ASSERT_EQ(b.sequence.size(), 90U);
            ASSERT_TRUE(whitelist.count(std::string(t[2]))) << "true barcode not in the whitelist: " << t[2];
            barcode_ok += a.sequence.substr(0, 16) == t[2];
            ++reads;
            // Reads that lie on contiguous genome (no junction, no polyA run-through) match it
            // up to sequencing errors.
            if (t[10] == "0" && t[11] == "90") {
                const std::string& chrom = chroms.at(std::string(t[7]));
                std::string ref = chrom.substr(std::stoul(std::string(t[8])) - 1, 90);
                if (t[9] == "-") ref = dna::reverse_complement(ref);
                for (std::size_t i = 0; i < 90; ++i) {
                    mismatches += ref[i] != b.sequence[i];
                    ++checked_bases;
                }
            }
        }
        EXPECT_FALSE(r2.next(b)) << "R2 has more reads than R1";
    }
    EXPECT_FALSE(truth.next_line(line)) << "truth has more reads than the FASTQ";
    EXPECT_EQ(reads, truth_read_pairs(sample));
    const double barcode_exact = static_cast<double>(barcode_ok) / static_cast<double>(reads);
    EXPECT_GT(barcode_exact, 0.95);   // sequencing errors do hit barcodes...
    EXPECT_LT(barcode_exact, 0.995);  // ...as in real runs, so correction has work to do
    const double error_rate = static_cast<double>(mismatches) / static_cast<double>(checked_bases);
    EXPECT_GT(checked_bases, 1'000'000U);
    EXPECT_LT(error_rate, 0.01);
    EXPECT_GT(error_rate, 0.0005);
}

TEST(Simulate, TruthCountsMatchTheMoleculesInTheReads) {
    const auto& s = study();
    const std::string sample = s.samples[0];
    std::unordered_set<std::string> molecules;
    std::map<std::string, std::size_t> regions;
    TextReader truth(s.root / "truth/reads" / (sample + ".tsv.gz"));
    std::string line;
    truth.next_line(line);
    while (truth.next_line(line)) {
        const auto t = split(line, '\t');
        regions[std::string(t[6])]++;
        if (t[4] != ".") molecules.insert(std::string(t[2]) + std::string(t[3]));
    }
    const auto m = read_matrix_market(s.root / "truth/counts" / sample / "matrix.mtx.gz");
    double total = 0;
    for (double v : m.column_sums()) total += v;
    EXPECT_EQ(static_cast<std::size_t>(total), molecules.size());
    const auto spliced = read_matrix_market(s.root / "truth/counts" / sample / "spliced.mtx.gz");
    const auto unspliced = read_matrix_market(s.root / "truth/counts" / sample / "unspliced.mtx.gz");
    double parts = 0;
    for (double v : spliced.column_sums()) parts += v;
    for (double v : unspliced.column_sums()) parts += v;
    EXPECT_EQ(parts, total);
    const double n = static_cast<double>(regions["exonic"] + regions["intronic"] + regions["intergenic"]);
    EXPECT_GT(regions["intronic"] / n, 0.05);  // reads from introns
    EXPECT_LT(regions["intronic"] / n, 0.4);
    EXPECT_GT(regions["intergenic"] / n, 0.005);
    // PCR duplicates: more reads than molecules.
    EXPECT_GT(n, 1.2 * static_cast<double>(molecules.size()));
    EXPECT_EQ(read_lines(s.root / "truth/counts" / sample / "features.tsv.gz").size(), m.n_rows);
}

TEST(Simulate, CellsAreFarRicherThanEmptyDroplets) {
    std::vector<double> cells, empties;
    for (const auto& row : study().barcodes) (row[2] == "1" ? cells : empties).push_back(std::stod(row[11]));
    ASSERT_FALSE(empties.empty());
    std::nth_element(cells.begin(), cells.begin() + cells.size() / 2, cells.end());
    std::nth_element(empties.begin(), empties.begin() + empties.size() / 2, empties.end());
    EXPECT_GT(cells[cells.size() / 2], 20 * empties[empties.size() / 2]);
    EXPECT_GT(empties.size(), 3 * cells.size());
}

TEST(Simulate, MarkersFollowCellTypes) {
    const auto& s = study();
    auto mean_in = [&](const char* gene, const std::set<std::string>& types) {
        auto by_group = mean_per_cell(s.root, s.gene_index.at(gene), types);
        double sum = 0;
        for (auto& [g, v] : by_group) sum += v;
        return sum / static_cast<double>(by_group.size());
    };
    EXPECT_GT(mean_in("ALB", {"hepatocyte"}), 20 * mean_in("ALB", {"t_cell"}));
    EXPECT_GT(mean_in("CD3E", {"t_cell"}), 10 * mean_in("CD3E", {"kupffer_cell"}));
    EXPECT_GT(mean_in("TIMD4", {"kupffer_cell"}), 5 * mean_in("TIMD4", {"classical_monocyte"}));
    EXPECT_GT(mean_in("S100A8", {"classical_monocyte"}), 3 * mean_in("S100A8", {"mo_macrophage"}));
    EXPECT_GT(mean_in("C1QA", {"mo_macrophage"}), 3 * mean_in("C1QA", {"classical_monocyte"}));
}

TEST(Simulate, Il6IsHighInAlfMonocytesAndSuppressedByMscs) {
    const auto& s = study();
    const auto il6 = mean_per_cell(s.root, s.gene_index.at("IL6"), kMonocyteAxis);
    EXPECT_GT(il6.at("ALF"), 3 * il6.at("control"));
    EXPECT_GT(il6.at("ALF"), 2 * il6.at("ALF+hUC-MSC"));

    // A null study from the same seed: the group effect is gone.
    test::TempDir other;
    auto o = small_study();
    o.cytokine_effect_scale = 0;
    o.read_truth = false;
    simulate::simulate(o, other / "null");
    const auto null_il6 = mean_per_cell(other / "null", s.gene_index.at("IL6"), kMonocyteAxis);
    EXPECT_LT(null_il6.at("ALF"), 0.4 * il6.at("ALF"));
}

TEST(Simulate, MonocytesMatureFurtherInAlfThanWithMscs) {
    std::map<std::string, std::vector<double>> maturation;
    for (const auto& row : study().barcodes)
        if (row[4] != "NA") maturation[row[5]].push_back(std::stod(row[4]));
    auto mean = [](const std::vector<double>& v) {
        double s = 0;
        for (double x : v) s += x;
        return s / static_cast<double>(v.size());
    };
    EXPECT_GT(mean(maturation["ALF"]), mean(maturation["ALF+hUC-MSC"]) + 0.2);
    EXPECT_GT(maturation["ALF"].size(), maturation["control"].size());  // monocytes home to the ALF liver
}

TEST(Simulate, GroupEffectZeroIsANullStudy) {
    // --group-effect 0: every group has control's shares, maturation and cytokines (animal
    // variation off here, so that only sampling noise is left).
    test::TempDir dir;
    auto o = small_study();
    o.group_effect_scale = 0;
    o.animal_sd = 0;
    o.animals_per_group = 3;
    o.fastqs = false;
    o.read_truth = false;
    simulate::simulate(o, dir / "null");
    std::map<std::string, std::vector<double>> maturation;
    std::map<std::string, double> cells, axis;
    for (const auto& line : read_lines(dir / "null/truth/barcodes.tsv.gz")) {
        const auto f = split(line, '\t');
        if (f[0] == "sample" || f[2] != "1") continue;
        cells[std::string(f[5])] += 1;
        if (f[4] != "NA") maturation[std::string(f[5])].push_back(std::stod(std::string(f[4]))), axis[std::string(f[5])] += 1;
    }
    auto mean = [](const std::vector<double>& v) {
        double s = 0;
        for (double x : v) s += x;
        return s / static_cast<double>(v.size());
    };
    for (const std::string g : {"ALF", "ALF+hUC-MSC"}) {
        EXPECT_NEAR(mean(maturation[g]), mean(maturation["control"]), 0.05) << g;
        EXPECT_NEAR(axis[g] / cells[g], axis["control"] / cells["control"], 0.03) << g;
    }
}

TEST(Simulate, UsesAGivenWhitelist) {
    const auto path = test::shared_data("whitelists/10xv2_737K-august-2016.txt.gz");
    if (!fs::exists(path)) GTEST_SKIP() << "shared data not found: " << path;
    test::TempDir dir;
    auto o = small_study();
    o.chemistry = "10xv2";
    o.whitelist = path;
    o.groups = {"ALF"};
    o.animals_per_group = 1;
    o.cells = 50;
    simulate::simulate(o, dir / "v2");
    std::unordered_set<std::string> real;
    for (auto& l : read_lines(path)) real.insert(l);
    FastqReader r1(dir / "v2/run/ALF-RM01-D3_S1_L001_R1_001.fastq.gz");
    FastqRecord rec;
    ASSERT_TRUE(r1.next(rec));
    EXPECT_EQ(rec.sequence.size(), 26U);  // 16 + 10 for v2
    const auto truth = read_lines(dir / "v2/truth/barcodes.tsv.gz");
    for (std::size_t i = 1; i < truth.size(); ++i) EXPECT_TRUE(real.count(std::string(split(truth[i], '\t')[1])));
}

TEST(Simulate, ReportsEveryBadOptionAtOnce) {
    SimulateOptions o;
    o.chemistry = "10xv9";
    o.lanes = 0;
    o.groups = {"control", "sham"};
    o.read2_length = 10;
    try {
        validate(o);
        FAIL();
    } catch (const OptionError& e) {
        const std::string msg = e.what();
        for (const char* part : {"10xv9", "lanes", "sham", "read 2 length"})
            EXPECT_NE(msg.find(part), std::string::npos) << part << " missing from: " << msg;
    }
    // 5' chemistries are simulated too, but R1 must hold what the chemistry puts in it.
    o = SimulateOptions{};
    o.chemistry = "10x5p";
    EXPECT_NO_THROW(validate(o));
    o.chemistry = "10x5pe";
    o.read1_length = 30;
    EXPECT_THROW(validate(o), OptionError);
}

TEST(Simulate, RefusesToOverwriteAnExistingStudy) {
    const auto& s = study();
    EXPECT_THROW(simulate::simulate(small_study(), s.root), OptionError);
}

TEST(Simulate, Il6PeaksInMaturingMonocytes) {
    // IL6 is made as monocytes mature into macrophages: higher mid-way along the axis than at
    // either end, within the ALF group.
    const auto& s = study();
    std::map<std::pair<std::string, std::string>, double> maturation;
    for (const auto& row : s.barcodes)
        if (row[5] == "ALF" && row[4] != "NA" && row[8] == "0") maturation[{row[0], row[1]}] = std::stod(row[4]);
    const std::size_t il6 = s.gene_index.at("IL6");
    double mid = 0, mid_n = 0, ends = 0, ends_n = 0;
    for (const auto& sample : s.samples) {
        if (sample.rfind("ALF-", 0) != 0) continue;
        const auto dir = s.root / "truth/counts" / sample;
        const auto m = read_matrix_market(dir / "matrix.mtx.gz");
        const auto bcs = read_lines(dir / "barcodes.tsv.gz");
        for (std::uint32_t c = 0; c < m.n_cols; ++c) {
            auto it = maturation.find({sample, bcs[c].substr(0, 16)});
            if (it == maturation.end()) continue;
            double count = 0;
            auto rows = m.column_rows(c);
            for (std::size_t k = 0; k < rows.size(); ++k)
                if (rows[k] == il6) count = m.column_values(c)[k];
            const double t = it->second;
            if (t > 0.3 && t < 0.6) mid += count, ++mid_n;
            if (t < 0.1 || t > 0.85) ends += count, ++ends_n;
        }
    }
    ASSERT_GT(mid_n, 20);
    ASSERT_GT(ends_n, 10);
    EXPECT_GT(mid / mid_n, 2 * ends / ends_n);
}
