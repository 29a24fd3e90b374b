// BAM output: placement on the genome (constructed reference), and a whole sample's BAM checked
// against the simulator's truth, its own records and itself under other threads and memory.
#include "kupffer/align/bam_output.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "kupffer/align/map_sample.hpp"
#include "kupffer/core/text_reader.hpp"
#include "kupffer/quant/bam_records.hpp"
#include "kupffer/quant/count.hpp"
#include "study_fixture.hpp"
#include "test_dir.hpp"

using namespace kupffer;
using namespace kupffer::align;
using kupffer::test::TempDir;
namespace fs = std::filesystem;

namespace {
std::string cigar_text(const std::vector<std::uint32_t>& cigar) {
    std::string s;
    for (auto c : cigar) s += std::to_string(bam_cigar_oplen(c)) + bam_cigar_opchr(c);
    return s;
}

// T1 (+): exons [10,110) and [200,300); its intron target [80,230); T2 (-): exon [400,500).
Index small_index(const TempDir& dir) {
    std::string contig;
    std::uint64_t x = 7;
    for (int i = 0; i < 600; ++i) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        contig += "ACGT"[(x >> 33) & 3];
    }
    std::ofstream(dir / "g.fa") << ">c1\n" << contig << "\n";
    std::ofstream(dir / "g.gtf") << "c1\tt\texon\t11\t110\t.\t+\t.\tgene_id \"G1\"; transcript_id \"T1\";\n"
                                 << "c1\tt\texon\t201\t300\t.\t+\t.\tgene_id \"G1\"; transcript_id \"T1\";\n"
                                 << "c1\tt\texon\t401\t500\t.\t-\t.\tgene_id \"G2\"; transcript_id \"T2\";\n";
    return Index::build(dir / "g.fa", dir / "g.gtf", {});
}
}  // namespace

TEST(PlaceOnGenome, SplicesClipsAndFollowsStrand) {
    TempDir dir;
    const Index index = small_index(dir);
    ASSERT_EQ(index.targets().size(), 3U);
    // Across T1's junction: 10 bases of exon 1, the 90-base intron skipped, 30 of exon 2.
    auto p = place_on_genome(index, 0, 90, 40, false);
    EXPECT_EQ(p.position, 100);
    EXPECT_EQ(cigar_text(p.cigar), "10M90N30M");
    EXPECT_FALSE(p.reverse);
    // Running off either end of the transcript: soft clips.
    EXPECT_EQ(cigar_text(place_on_genome(index, 0, -5, 20, false).cigar), "5S15M");
    EXPECT_EQ(place_on_genome(index, 0, -5, 20, false).position, 10);
    EXPECT_EQ(cigar_text(place_on_genome(index, 0, 190, 20, false).cigar), "10M10S");
    EXPECT_EQ(place_on_genome(index, 0, 190, 20, false).position, 290);
    // Minus strand: target [10,40) is genome [460,490), the read reverse.
    p = place_on_genome(index, 1, 10, 30, false);
    EXPECT_EQ(p.position, 460);
    EXPECT_EQ(cigar_text(p.cigar), "30M");
    EXPECT_TRUE(p.reverse);
    // Starting 4 bases before T2's 5' end: the clip is at the genome's right.
    p = place_on_genome(index, 1, -4, 30, false);
    EXPECT_EQ(p.position, 474);
    EXPECT_EQ(cigar_text(p.cigar), "26M4S");
    // An antisense read (mapped reverse-complemented) on a minus-strand gene is forward.
    EXPECT_FALSE(place_on_genome(index, 1, 10, 30, true).reverse);
    // An intron target is pre-mRNA: a read running off it continues along the genome.
    p = place_on_genome(index, 2, -10, 30, false);
    EXPECT_EQ(p.position, 70);
    EXPECT_EQ(cigar_text(p.cigar), "30M");
    // Wholly outside a transcript: not placed.
    EXPECT_EQ(place_on_genome(index, 0, 300, 20, false).contig, -1);
}

namespace {
struct BamRow {
    std::string name, contig, cb, gx;
    std::int64_t pos;
    std::uint16_t flag;
    std::string cigar;
};
std::vector<BamRow> read_bam(const fs::path& path) {
    HtsFilePtr f = open_hts(path, "r");
    BamHeaderPtr h(sam_hdr_read(f.get()));
    BamRecordPtr b = make_bam_record();
    std::vector<BamRow> rows;
    while (sam_read1(f.get(), h.get(), b.get()) >= 0) {
        BamRow r;
        r.name = bam_get_qname(b.get());
        r.flag = b->core.flag;
        r.pos = b->core.pos;
        r.contig = b->core.tid >= 0 ? sam_hdr_tid2name(h.get(), b->core.tid) : "*";
        std::vector<std::uint32_t> cigar(bam_get_cigar(b.get()), bam_get_cigar(b.get()) + b->core.n_cigar);
        r.cigar = cigar_text(cigar);
        if (auto* cb = bam_aux_get(b.get(), "CB")) r.cb = bam_aux2Z(cb);
        if (auto* gx = bam_aux_get(b.get(), "GX")) r.gx = bam_aux2Z(gx);
        EXPECT_EQ(bam_aux_get(b.get(), "zp"), nullptr) << "a pending barcode was left in " << r.name;
        rows.push_back(std::move(r));
    }
    return rows;
}
std::string file_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}
}  // namespace

TEST(BamOutput, EveryReadPlacedSortedTaggedAndCountableAsItsRecords) {
    const auto& index = test::study_index();
    const auto sample = discover_fastqs(test::study_root() / "run").front();
    TempDir dir;
    MapSampleOptions o;
    o.whitelist = test::study_root() / "whitelist.txt.gz";
    o.bam = dir / "small_memory.bam";
    o.bam_sort_memory = 4 << 20;  // several chunks to merge
    o.threads = 2;
    const auto mapped = map_sample(sample, index, o);
    ASSERT_TRUE(fs::exists(dir / "small_memory.bam.bai"));
    for (const auto& e : fs::directory_iterator(dir.path())) EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << e.path();
    const auto rows = read_bam(o.bam);
    ASSERT_EQ(rows.size(), mapped.metrics.read_pairs);
    EXPECT_EQ(mapped.bam_records, rows.size());

    // Coordinate order, unplaced reads last.
    std::map<std::string, int> contig_rank;
    for (std::size_t c = 0; c < index.contig_names().size(); ++c) contig_rank[index.contig_names()[c]] = static_cast<int>(c);
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const auto& a = rows[i - 1];
        const auto& b = rows[i];
        const int ra = a.contig == "*" ? 1 << 30 : contig_rank[a.contig], rb = b.contig == "*" ? 1 << 30 : contig_rank[b.contig];
        ASSERT_TRUE(ra < rb || (ra == rb && (ra == 1 << 30 || a.pos <= b.pos))) << "unsorted at " << i;
    }
    // Placement against the truth.
    std::map<std::string, std::vector<std::string>> truth;
    TextReader t(test::study_root() / "truth/reads" / (sample.name + ".tsv.gz"));
    std::string line;
    t.next_line(line);
    while (t.next_line(line)) {
        auto f = split(line, '\t');
        truth[std::string(f[0])] = {f.begin(), f.end()};
    }
    std::uint64_t exonic = 0, exonic_ok = 0, junction = 0, junction_ok = 0, intronic = 0, intronic_ok = 0, with_cb_and_gene = 0;
    for (const auto& r : rows) {
        const auto& f = truth.at(r.name);
        const bool at_truth = !(r.flag & BAM_FUNMAP) && r.contig == f[7] && r.pos + 1 == std::stoll(f[8]) &&
                              ((r.flag & BAM_FREVERSE) != 0) == (f[9] == "-");
        if (f[11] != "90") continue;  // short inserts read into the adapter
        if (f[6] == "exonic" && f[10] == "1") ++junction, junction_ok += at_truth && r.cigar.find('N') != std::string::npos;
        else if (f[6] == "exonic") ++exonic, exonic_ok += at_truth && r.cigar == "90M";
        else if (f[6] == "intronic") ++intronic, intronic_ok += at_truth;
    }
    for (const auto& r : rows) with_cb_and_gene += !r.cb.empty() && !r.gx.empty();
    const auto rate = [](std::uint64_t a, std::uint64_t b) { return static_cast<double>(a) / static_cast<double>(b); };
    std::printf("reads at their true place: exonic %.4f (%llu), across a junction with N %.4f (%llu), intronic %.4f (%llu)\n",
                rate(exonic_ok, exonic), static_cast<unsigned long long>(exonic), rate(junction_ok, junction),
                static_cast<unsigned long long>(junction), rate(intronic_ok, intronic), static_cast<unsigned long long>(intronic));
    EXPECT_GE(rate(exonic_ok, exonic), 0.99);
    EXPECT_GE(rate(junction_ok, junction), 0.95);
    EXPECT_GE(rate(intronic_ok, intronic), 0.95);
    // A read with a cell barcode and a gene in the BAM is a mapped read of the records.
    EXPECT_EQ(with_cb_and_gene, mapped.metrics.mapped);

    // UB is the corrected UMI (Cell Ranger's meaning), so counting the BAM as `kupffer count
    // --bam` does — distinct UBs per cell and gene, no correction of its own — finds exactly the
    // molecules the records give under count's directional rule (UMIs of a gene clustered across
    // splice states, as include-introns does and Cell Ranger's UB is).
    auto by_key = [](const quant::CountResults& r) {
        std::map<std::pair<std::uint64_t, std::string>, std::uint32_t> m;
        for (std::uint32_t c = 0; c < r.counts.n_cols; ++c) {
            auto genes = r.counts.column_rows(c);
            for (std::size_t k = 0; k < genes.size(); ++k) m[{r.barcodes[c], r.gene_ids[genes[k]]}] = r.counts.column_values(c)[k];
        }
        return m;
    };
    quant::CountOptions exact;
    exact.include_introns = true;
    exact.umi_method = quant::UmiMethod::Exact;
    quant::CountOptions directional = exact;
    directional.umi_method = quant::UmiMethod::Directional;
    const auto ub_molecules = by_key(quant::count_molecules(quant::records_from_bam(o.bam), exact));
    const auto molecules = by_key(quant::count_molecules(mapped.records, directional));
    const auto raw_umis = by_key(quant::count_molecules(mapped.records, exact));
    std::size_t differ = 0;
    for (const auto& [k, v] : molecules) {
        auto it = ub_molecules.find(k);
        if ((it == ub_molecules.end() || it->second != v) && ++differ <= 5)
            ADD_FAILURE() << "barcode " << k.first << " gene " << k.second << ": records " << v << ", BAM " << (it == ub_molecules.end() ? 0 : it->second);
    }
    std::uint64_t total_ub = 0, total = 0, total_raw = 0;
    for (const auto& [k, v] : ub_molecules) total_ub += v;
    for (const auto& [k, v] : molecules) total += v;
    for (const auto& [k, v] : raw_umis) total_raw += v;
    std::printf("molecules: %llu by count's directional rule, %llu distinct UB, %llu distinct raw UMIs\n",
                static_cast<unsigned long long>(total), static_cast<unsigned long long>(total_ub), static_cast<unsigned long long>(total_raw));
    EXPECT_GT(total_raw, total);  // there are UMI errors to correct
    EXPECT_EQ(differ, 0U);
    EXPECT_EQ(ub_molecules, molecules);

    // Same bytes with one thread and everything sorted in memory.
    o.bam = dir / "in_memory.bam";
    o.bam_sort_memory = std::size_t{1} << 30;
    o.threads = 1;
    map_sample(sample, index, o);
    EXPECT_EQ(file_bytes(dir / "in_memory.bam"), file_bytes(dir / "small_memory.bam"));
    EXPECT_EQ(file_bytes(dir / "in_memory.bam.bai"), file_bytes(dir / "small_memory.bam.bai"));
}
