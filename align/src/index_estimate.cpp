// The memory an index build and a loaded index take, estimated before building (index.hpp).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <tuple>

#include "kupffer/align/index.hpp"
#include "kupffer/align/reference_files.hpp"
#include "kupffer/core/text_reader.hpp"

namespace kupffer::align {

namespace fs = std::filesystem;

namespace {

/// Bases of a FASTA: from its samtools .fai when there is one, else by reading it once.
std::uint64_t genome_bases(const fs::path& fasta) {
    std::uint64_t bases = 0;
    std::string line;
    if (fs::exists(fasta.string() + ".fai")) {
        TextReader fai(fasta.string() + ".fai");
        while (fai.next_line(line)) {
            const auto tab = line.find('\t');
            if (tab != std::string::npos) bases += std::stoull(line.substr(tab + 1));
        }
        return bases;
    }
    TextReader reader(fasta);
    while (reader.next_line(line))
        if (line.empty() || line[0] != '>') bases += line.size();
    return bases;
}

/// Target k-mers (occurrences) and an estimate of the distinct ones: a gene's isoforms share their
/// exons, so its exonic sequence counts once, plus k-1 new k-mers per distinct splice junction; each
/// flanked intron is its own sequence (as Index::build makes them).
void count_kmers(const Annotation& ann, std::uint32_t k, IndexEstimate& e) {
    const std::uint64_t flank = k - 1;
    auto kmers_of = [&](std::uint64_t length) { return length >= k ? length - k + 1 : 0; };
    std::vector<std::vector<ExonInterval>> exons_of(ann.genes.size());
    std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>> junctions;
    for (const auto& tx : ann.transcripts) {
        std::uint64_t length = 0;
        for (std::size_t i = 0; i < tx.exons.size(); ++i) {
            length += tx.exons[i].end - tx.exons[i].start;
            if (i > 0) junctions.emplace(tx.gene, tx.exons[i - 1].end, tx.exons[i].start);
        }
        e.kmer_occurrences += kmers_of(length);
        e.target_bases += length;
        exons_of[tx.gene].insert(exons_of[tx.gene].end(), tx.exons.begin(), tx.exons.end());
    }
    e.distinct_kmers += junctions.size() * flank;
    for (std::size_t g = 0; g < ann.genes.size(); ++g) {
        auto& exons = exons_of[g];
        std::sort(exons.begin(), exons.end(), [](auto& a, auto& b) { return a.start < b.start; });
        std::uint64_t covered = ann.genes[g].start, exonic = 0;
        for (const auto& x : exons) {
            if (x.start > covered) {  // an intron target: the gap with k-1 exonic bases each side
                const std::uint64_t intron = kmers_of(x.start - covered + 2 * flank);
                e.target_bases += x.start - covered + 2 * flank;
                e.kmer_occurrences += intron;
                e.distinct_kmers += intron;
                ++e.introns;
            }
            if (x.end > covered) exonic += x.end - std::max<std::uint64_t>(x.start, covered);
            covered = std::max<std::uint64_t>(covered, x.end);
        }
        e.distinct_kmers += kmers_of(exonic);
    }
    e.distinct_kmers = std::min(e.distinct_kmers, e.kmer_occurrences);
    // Every occurrence past a k-mer's first is a posting, and so is that first one: at most twice
    // the surplus.
    e.postings = 2 * (e.kmer_occurrences - e.distinct_kmers);
}

/// The loaded size and the build's peak, following KmerTable (kmer_table.hpp): the targets' bases
/// at 2 bits, a value of `position_bits` + 1 bits per distinct k-mer, postings (a count and the
/// positions of each k-mer found more than once) of `position_bits`, the hash functions (~3.8 bits
/// a k-mer with their ranks; 4 counted), the targets' starts and the position -> target table. Building
/// holds the genome and the targets' sequences (a byte a base) together, then the sequences, the
/// growing table and one pass of gathered occurrences (16 bytes each, up to 2^26 of them, three
/// times over while vectors grow and are merged per bucket: measured on a 3 Gb primate reference,
/// bench/genome.sh).
void count_bytes(IndexEstimate& e) {
    const double n = static_cast<double>(e.kmer_occurrences), d = static_cast<double>(e.distinct_kmers),
                 p = static_cast<double>(e.postings), bases = static_cast<double>(e.target_bases);
    double position_bits = 1;
    while (std::pow(2.0, position_bits) <= std::max(bases, 2 * n + 1)) ++position_bits;
    const double table = bases / 4 + d * (position_bits + 1) / 8 + p * position_bits / 8 + d * 4 / 8 + 8.0 * static_cast<double>(e.transcripts + e.introns);
    const double pass = 48 * std::min(n, std::pow(2.0, 26));
    const double program = 20e6;  // the program itself (~20 MB measured)
    e.build_bytes = static_cast<std::uint64_t>(program + std::max(static_cast<double>(e.genome_bases) + bases, bases + table + pass));
    e.map_bytes = static_cast<std::uint64_t>(table + bases / 4096 * 4);
    e.disk_bytes = static_cast<std::uint64_t>(table);
}

/// 1.2 GB, 340 MB, 3.1 M ...: `unit` after a G, M or k prefix, three significant digits at most.
std::string amount(std::uint64_t value, const char* unit) {
    const double v = static_cast<double>(value);
    char text[32];
    if (v >= 1e9) std::snprintf(text, sizeof text, "%.1f G%s", v / 1e9, unit);
    else if (v >= 1e6) std::snprintf(text, sizeof text, "%.0f M%s", v / 1e6, unit);
    else std::snprintf(text, sizeof text, "%.0f k%s", v / 1e3, unit);
    return text;
}

}  // namespace

IndexEstimate estimate_index(const fs::path& fasta, const fs::path& gtf, const IndexOptions& options) {
    IndexEstimate e;
    const Annotation ann = read_gtf(gtf);
    e.genes = ann.genes.size();
    e.transcripts = ann.transcripts.size();
    e.genome_bases = genome_bases(fasta);
    count_kmers(ann, options.k, e);
    count_bytes(e);
    return e;
}

std::string describe(const IndexEstimate& e) {
    return amount(e.genome_bases, "b") + " genome; " + std::to_string(e.genes) + " genes, " + std::to_string(e.transcripts) +
           " transcripts, " + std::to_string(e.introns) + " introns; " + amount(e.kmer_occurrences, "") + " k-mer occurrences, about " +
           amount(e.distinct_kmers, "") + " distinct; building needs about " + amount(e.build_bytes, "B") + " of memory, mapping about " +
           amount(e.map_bytes, "B") + ", the index folder about " + amount(e.disk_bytes, "B");
}

}  // namespace kupffer::align
