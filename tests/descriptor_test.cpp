// The workflow descriptor: every malformed descriptor is refused before any work with a message
// naming the file, line and column; all problems come at once; a valid one resolves every path
// and default, and its resolved YAML reads back to the same study.
#include "kupffer/pipeline/descriptor.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "kupffer/cluster/analyse.hpp"
#include "test_dir.hpp"

namespace kupffer::pipeline {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

/// A folder with what a descriptor points at (the files' content is not read by validation).
class DescriptorTest : public ::testing::Test {
protected:
    void SetUp() override {
        write(dir / "ref/genome.fa", ">chr1\nACGT\n");
        write(dir / "ref/genes.gtf", "");
        for (const auto* s : {"A_S1", "B_S2"})
            for (const auto* lane : {"L001", "L002"})
                for (const auto* read : {"R1", "R2"}) write(dir / "run" / (std::string(s) + "_" + lane + "_" + read + "_001.fastq.gz"), "");
        write(dir / "sheet.csv", "sample,group,timepoint,animal\nA,control,D3,RM01\nB,ALF,D3,RM02\n");
    }
    Study parse(const std::string& yaml) { return parse_descriptor(yaml, "study.yaml", dir.path()); }
    /// The problems of a descriptor expected to be refused.
    std::vector<Problem> problems(const std::string& yaml) {
        try {
            parse(yaml);
        } catch (const DescriptorError& e) {
            return e.problems();
        }
        ADD_FAILURE() << "accepted:\n" << yaml;
        return {};
    }
    static constexpr const char* kValid =
        "output: out\n"
        "reference:\n  genome: ref/genome.fa\n  gtf: ref/genes.gtf\n"
        "input:\n  fastqs: run\n  samplesheet: sheet.csv\n";
    test::TempDir dir;
};

TEST_F(DescriptorTest, AValidDescriptorResolvesPathsSamplesAndDefaults) {
    const auto s = parse(std::string(kValid) + "threads: 2\ncount:\n  velocity: true\nanalyse:\n  resolution: 0.5\n  size_factors: pooled\n");
    EXPECT_EQ(s.output, dir.path() / "out");
    EXPECT_EQ(s.genome, dir.path() / "ref/genome.fa");
    ASSERT_EQ(s.samples.size(), 2u);
    EXPECT_EQ(s.samples[0].name, "A");
    EXPECT_EQ(s.samples[0].lanes.size(), 2u);
    EXPECT_EQ(s.threads, 2);
    EXPECT_TRUE(s.count_options.velocity);
    EXPECT_DOUBLE_EQ(s.analyse_options.analysis.leiden.resolution, 0.5);
    EXPECT_EQ(s.analyse_options.analysis.size_factors, cluster::SizeFactorMethod::Pooled);
    EXPECT_EQ(s.map_options.map.chemistry, "auto");
}

TEST_F(DescriptorTest, TheResolvedDescriptorReadsBackToTheSameStudy) {
    const auto s = parse(std::string(kValid) + "chemistry: 10xv3\nmap:\n  bam: true\nanalyse:\n  integrate_by: animal\n  cytokines: [IL6, TNF]\n");
    const auto again = parse_descriptor(resolved_yaml(s), "kupffer.yaml", "/");
    EXPECT_EQ(again.resolved, s.resolved);
    EXPECT_EQ(again.samples.size(), 2u);
}

TEST_F(DescriptorTest, SchemaDefaultsAreTheLibraryDefaults) {
    const auto s = parse(kValid);
    const auto& schema = descriptor_schema()["properties"];
    for (const auto* section : {"index", "map", "count", "analyse"})
        for (const auto& [key, spec] : schema[section]["properties"].items()) {
            if (!spec.contains("default")) continue;
            const auto resolved = s.resolved[section][key];
            if (resolved.is_number()) EXPECT_DOUBLE_EQ(resolved.get<double>(), spec["default"].get<double>()) << section << "." << key;
            else EXPECT_EQ(resolved.dump(), spec["default"].dump()) << section << "." << key;
        }
    for (const auto* key : {"chemistry", "threads", "parallel_samples"}) EXPECT_EQ(s.resolved[key].dump(), schema[key]["default"].dump()) << key;
}

struct Malformed {
    const char* name;
    std::string yaml;      ///< appended to a valid descriptor unless it starts with '!'
    std::string expected;  ///< in one problem's message
    std::size_t line = 0;  ///< that problem's line (0: not checked)
};

TEST_F(DescriptorTest, MalformedDescriptorsAreRefusedWithTheirProblem) {
    write(dir / "dup.csv", "sample,group,timepoint,animal\nA,control,D3,RM01\nA,ALF,D3,RM02\n");
    write(dir / "noanimal.csv", "sample,group,timepoint\nA,control,D3\n");
    write(dir / "emptyanimal.csv", "sample,group,timepoint,animal\nA,control,D3,\n");
    write(dir / "nofastq.csv", "sample,group,timepoint,animal\nA,control,D3,RM01\nC,ALF,D3,RM03\n");
    write(dir / "escape.csv", "sample,group,timepoint,animal\n../x,control,D3,RM01\n");
    write(dir / "same.csv", "sample,fastq_1,fastq_2,group,timepoint,animal\nA,run/A_S1_L001_R1_001.fastq.gz,run/A_S1_L001_R1_001.fastq.gz,c,D3,RM01\n");
    write(dir / "nopair.csv", "sample,fastq_1,fastq_2,group,timepoint,animal\nA,run/A_S1_L001_R1_001.fastq.gz,run/B_S2_L001_R2_001.fastq.gz,c,D3,RM01\n");
    write(dir / "lanes.csv", "sample,fastq_1,fastq_2,group,timepoint,animal\nA,run/A_S1_L001_R1_001.fastq.gz,run/A_S1_L001_R2_001.fastq.gz,c,D3,RM01\n"
                             "A,run/A_S1_L002_R1_001.fastq.gz,run/A_S1_L002_R2_001.fastq.gz,ALF,D3,RM01\n");
    write(dir / "onecol.csv", "sample,fastq_1,group,timepoint,animal\nA,x.fq.gz,c,D3,RM01\n");
    write(dir / "afile", "");
    const std::string ref = "reference:\n  genome: ref/genome.fa\n  gtf: ref/genes.gtf\n";
    auto sheet = [&](const std::string& csv) { return "!output: out\n" + ref + "input:\n  fastqs: run\n  samplesheet: " + csv + "\n"; };
    const std::vector<Malformed> cases = {
        {"not YAML", "!output: [out\n", "not valid YAML: end of sequence flow not found", 2},
        {"a list, not a mapping", "!- output\n- reference\n", "a descriptor is a mapping", 1},
        {"unknown key, suggested", "thread: 2\n", "unknown key 'thread' (did you mean 'threads'?)", 8},
        {"unknown nested key, suggested", "count:\n  velocty: true\n", "unknown key 'count.velocty' (did you mean 'count.velocity'?)", 9},
        {"an output path inside a stage", "analyse:\n  out: /tmp/elsewhere\n", "unknown key 'analyse.out'", 9},
        {"a word for a number", "threads: many\n", "'threads' must be a whole number, not 'many'", 8},
        {"negative threads", "threads: -1\n", "'threads' must be at least 0", 8},
        {"absurd threads", "threads: 100000\n", "'threads' must be at most 4096", 8},
        {"unknown chemistry", "chemistry: 10xv9\n", "'chemistry' must be one of auto, 10xv2, 10xv3, 10xv4, 10x5p, 10x5pe", 8},
        {"yes is not a boolean", "map:\n  bam: yes\n", "'map.bam' must be true or false", 9},
        {"a probability above 1", "map:\n  min_posterior: 2\n", "'map.min_posterior' must be at most 1", 9},
        {"an unknown multi-gene policy", "count:\n  multi_gene: both\n", "must be one of discard, em", 9},
        {"an even k", "index:\n  k: 30\n", "'index.k' must be odd", 9},
        {"a string for a list", "analyse:\n  cytokines: IL6\n", "'analyse.cytokines' must be a list", 9},
        {"a key given twice", "threads: 1\nthreads: 2\n", "'threads' is given twice", 9},
        {"no output", "!" + ref + "input:\n  samplesheet: sheet.csv\n  fastqs: run\n", "needs the key 'output'", 1},
        {"no reference", "!output: out\ninput:\n  samplesheet: sheet.csv\n", "needs the key 'reference'", 1},
        {"index and genome", "!output: out\nreference:\n  index: ref\n  genome: ref/genome.fa\ninput:\n  samplesheet: sheet.csv\n", "either index, or genome and gtf", 3},
        {"genome without gtf", "!output: out\nreference:\n  genome: ref/genome.fa\ninput:\n  samplesheet: sheet.csv\n  fastqs: run\n", "needs genome and gtf", 3},
        {"a missing genome", "!output: out\nreference:\n  genome: ref/nope.fa\n  gtf: ref/genes.gtf\ninput:\n  samplesheet: sheet.csv\n  fastqs: run\n", "nope.fa: no such file", 3},
        {"a missing run folder", "!output: out\n" + ref + "input:\n  samplesheet: sheet.csv\n  fastqs: [run, run2]\n", "run2: no such file or folder", 0},
        {"an empty list of run folders", "!output: out\n" + ref + "input:\n  samplesheet: sheet.csv\n  fastqs: []\n", "needs at least 1 item", 0},
        {"a missing samplesheet", sheet("nope.csv"), "nope.csv: no such file", 0},
        {"a sheet without animal", sheet("noanimal.csv"), "lacks the column 'animal'", 0},
        {"a sample twice", sheet("dup.csv"), "sample 'A' is listed twice (line 2)", 0},
        {"an empty animal", sheet("emptyanimal.csv"), "has an empty animal", 0},
        {"a sample without FASTQs", sheet("nofastq.csv"), "sample 'C' has no FASTQ files", 0},
        {"a sample name escaping the output", sheet("escape.csv"), "cannot contain '/'", 0},
        {"R1 given as R2", sheet("same.csv"), "fastq_1 and fastq_2 are the same file", 0},
        {"FASTQs that do not pair", sheet("nopair.csv"), "do not pair", 0},
        {"lanes that disagree on metadata", sheet("lanes.csv"), "differ from line 2", 0},
        {"fastq_1 without fastq_2", sheet("onecol.csv"), "fastq_1 and fastq_2 go together", 0},
        {"an integration column the sheet lacks", "analyse:\n  integrate_by: donor\n", "the samplesheet has no column 'donor'", 9},
        {"a trajectory panel that does not exist", "analyse:\n  trajectory: monocyte\n", "no marker panel named 'monocyte'", 9},
        {"an output that is a file", "!output: afile\n" + ref + "input:\n  samplesheet: sheet.csv\n  fastqs: run\n", "exists and is not a folder", 1},
    };
    for (const auto& c : cases) {
        const std::string yaml = c.yaml[0] == '!' ? c.yaml.substr(1) : std::string(kValid) + c.yaml;
        const auto found = problems(yaml);
        const auto it = std::find_if(found.begin(), found.end(), [&](const Problem& p) { return p.message.find(c.expected) != std::string::npos; });
        std::string all;
        for (const auto& p : found) all += "\n  " + p.to_string();
        if (it == found.end()) {
            ADD_FAILURE() << c.name << ": expected '" << c.expected << "' among:" << all;
            continue;
        }
        EXPECT_FALSE(it->file.empty()) << c.name;
        if (c.line) {
            EXPECT_EQ(it->line, c.line) << c.name << ":" << all;
        }
        if (it->file == "study.yaml" && c.line) {
            EXPECT_GT(it->column, 0u) << c.name;
        }
    }
    EXPECT_GE(cases.size(), 20u);
}

TEST_F(DescriptorTest, AllProblemsAreReportedAtOnce) {
    const auto found = problems(std::string(kValid) + "threads: many\nchemistry: 10xv9\ncount:\n  velocty: true\n");
    ASSERT_EQ(found.size(), 3u);
    EXPECT_EQ(found[0].to_string(), "study.yaml:8:10: 'threads' must be a whole number, not 'many'");
    EXPECT_EQ(found[1].line, 9u);
    EXPECT_EQ(found[2].line, 11u);
    try {
        parse(std::string(kValid) + "threads: many\nchemistry: 10xv9\n");
    } catch (const DescriptorError& e) {
        EXPECT_NE(std::string(e.what()).find("2 problems in the descriptor:\n  study.yaml:8:10:"), std::string::npos) << e.what();
    }
}

TEST_F(DescriptorTest, SymlinkedStageFoldersAreRefused) {
    fs::create_directories(dir / "elsewhere");
    fs::create_directories(dir / "out");
    fs::create_directory_symlink(dir / "elsewhere", dir / "out/samples");
    const auto found = problems(kValid);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_NE(found[0].message.find("is a symbolic link: kupffer writes only inside the output folder"), std::string::npos);
}

TEST_F(DescriptorTest, SamplesOfSeveralRunFoldersMergeByName) {
    fs::create_directories(dir / "run2");
    for (const auto* read : {"R1", "R2"}) write(dir / "run2" / (std::string("A_S1_L001_") + read + "_001.fastq.gz"), "");
    write(dir / "run2/Z_S9_L001_R1_001.fastq.gz", "");
    write(dir / "run2/Z_S9_L001_R2_001.fastq.gz", "");
    const auto s = parse("output: out\nreference:\n  genome: ref/genome.fa\n  gtf: ref/genes.gtf\ninput:\n  fastqs: [run, run2]\n  samplesheet: sheet.csv\n");
    ASSERT_EQ(s.samples.size(), 2u);
    EXPECT_EQ(s.samples[0].lanes.size(), 3u);  // two lanes of the first flowcell, one of the second
    EXPECT_EQ(s.samples[0].lanes[2].r1.parent_path(), dir.path() / "run2");
    ASSERT_EQ(s.notes.size(), 1u);
    EXPECT_NE(s.notes[0].find("'Z'"), std::string::npos);
}

TEST_F(DescriptorTest, FlagsGoThroughTheSameChecks) {
    DirectRun run;
    run.fastqs = {dir / "run"};
    run.genome = dir / "ref/genome.fa";
    run.samplesheet = dir / "sheet.csv";
    run.output = dir / "out";
    try {
        study_from_direct_run(run);
        FAIL() << "accepted a run without a GTF";
    } catch (const DescriptorError& e) {
        ASSERT_EQ(e.problems().size(), 1u);
        EXPECT_NE(e.problems()[0].message.find("needs genome and gtf"), std::string::npos);
        EXPECT_EQ(e.problems()[0].line, 0u);
    }
    run.gtf = dir / "ref/genes.gtf";
    EXPECT_EQ(study_from_direct_run(run).samples.size(), 2u);
}

}  // namespace
}  // namespace kupffer::pipeline
