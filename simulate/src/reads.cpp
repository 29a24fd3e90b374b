#include "reads.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <random>

#include "kupffer/core/dna.hpp"

namespace kupffer::simulate::internal {

namespace {

// NovaSeq-style binned qualities: '#' (Q2, called N), '-' (Q12), '8' (Q23), 'F' (Q37).
constexpr std::array<char, 4> kQualChar = {'#', '-', '8', 'F'};
// Probability that a base of each bin is miscalled, as a 24-bit threshold.
constexpr std::array<std::uint32_t, 4> kErrorThreshold = {0, static_cast<std::uint32_t>(0.063 * (1 << 24)),
                                                          static_cast<std::uint32_t>(0.005 * (1 << 24)),
                                                          static_cast<std::uint32_t>(0.0002 * (1 << 24))};
// Truseq Read 1 primer tail, seen in R2 after the polyA and the reverse complement of UMI+barcode.
constexpr std::string_view kRead1Adapter = "AGATGTGTATAAGAGACAGCTACACGACGCTCTTCCGATCT";
// 10x 5' template switch oligo, between the UMI and the cDNA's 5' end in R1.
constexpr std::string_view kTso = "TTTCTTATATGGG";

/// Applies the quality model to `seq` in place and appends its qualities to `qual`.
void sequence_bases(std::string& seq, std::string& qual, Rng& rng) {
    const std::size_t n = seq.size();
    for (std::size_t i = 0; i < n; ++i) {
        const double frac = n > 1 ? static_cast<double>(i) / static_cast<double>(n - 1) : 0.0;
        // Cumulative 16-bit thresholds of bins Q2, Q12, Q23 (the rest is Q37); quality falls along the read.
        const auto t0 = static_cast<std::uint32_t>((0.0005 + 0.001 * frac) * 65536);
        const auto t1 = t0 + static_cast<std::uint32_t>((0.008 + 0.03 * frac) * 65536);
        const auto t2 = t1 + static_cast<std::uint32_t>((0.03 + 0.07 * frac) * 65536);
        const std::uint64_t r = rng();
        const auto u = static_cast<std::uint32_t>(r & 0xFFFF);
        const int bin = u < t0 ? 0 : u < t1 ? 1 : u < t2 ? 2 : 3;
        qual.push_back(kQualChar[static_cast<std::size_t>(bin)]);
        if (bin == 0) {
            seq[i] = 'N';
        } else if (static_cast<std::uint32_t>((r >> 16) & 0xFFFFFF) < kErrorThreshold[static_cast<std::size_t>(bin)]) {
            const std::uint8_t code = dna::encode_base(seq[i]);
            seq[i] = dna::decode_base(static_cast<std::uint8_t>((code + 1 + ((r >> 40) % 3)) & 3));
        }
    }
}

void append_number(std::string& s, std::uint64_t v) {
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    s.append(buf, res.ptr);
}

/// Leftmost genomic position of transcript bases [s, e) and whether they span a junction.
std::pair<std::uint32_t, bool> genomic_span(const Gene& gene, const Transcript& tx, std::uint32_t s, std::uint32_t e) {
    // Walk exons in transcript order.
    std::uint32_t offset = 0;
    std::uint32_t first_exon = 0, last_exon = 0, pos_s = 0, pos_e = 0;
    const std::size_t n = tx.exons.size();
    for (std::size_t k = 0; k < n; ++k) {
        const Exon& ex = gene.strand == '+' ? tx.exons[k] : tx.exons[n - 1 - k];
        const std::uint32_t len = ex.length();
        auto to_genome = [&](std::uint32_t t) { return gene.strand == '+' ? ex.start + (t - offset) : ex.end - 1 - (t - offset); };
        if (s >= offset && s < offset + len) first_exon = static_cast<std::uint32_t>(k), pos_s = to_genome(s);
        if (e - 1 >= offset && e - 1 < offset + len) last_exon = static_cast<std::uint32_t>(k), pos_e = to_genome(e - 1);
        offset += len;
    }
    return {std::min(pos_s, pos_e), first_exon != last_exon};
}

/// Bases of genomic [a, b) outside every exon of every isoform of the gene.
std::uint32_t intronic_bases(const Gene& gene, std::uint32_t a, std::uint32_t b) {
    std::uint32_t intronic = 0;
    for (std::uint32_t pos = a; pos < b; ++pos) {
        bool exonic = false;
        for (const auto& tx : gene.transcripts)
            for (const auto& e : tx.exons) exonic |= pos >= e.start && pos < e.end;
        intronic += !exonic;
    }
    return intronic;
}

/// The cDNA part of a read pair, and where it came from (the truth columns).
struct Fragment {
    std::string r2;    // the cDNA read, before adapters and sequencing errors
    std::string five;  // 5': the molecule's first bases, read by R1 after the TSO
    std::string gene_id = ".", transcript_id = ".", region, molecule, chrom;
    std::uint32_t leftmost = 0;
    char strand = '+';
    bool junction = false;
};

/// The truth columns of a fragment from `gene`; an unspliced one covers genomic [g0, g1).
void from_gene(Fragment& f, const Reference& reference, const Gene& gene) {
    f.gene_id = gene.id;
    f.chrom = reference.chrom_names[gene.chrom];
    f.strand = gene.strand;
}
void from_pre_mrna(Fragment& f, const Gene& gene, std::uint32_t g0, std::uint32_t g1) {
    f.leftmost = g0;
    f.molecule = "unspliced";
    f.region = intronic_bases(gene, g0, g1) > 0 ? "intronic" : "exonic";
}

/// Molecule m seen from its 5' end (10x 5'): the fragment is its first `distance` bases (up to
/// where reverse transcription began); R2 reads the far end, antisense.
Fragment five_prime_fragment(const Reference& reference, const Molecule& m, std::uint32_t distance, const ReadLayout& layout) {
    const std::uint32_t L2 = layout.read2_length;
    const Gene& gene = reference.genes[m.gene];
    Fragment f;
    const std::uint32_t n = m.kind == MoleculeKind::Spliced ? static_cast<std::uint32_t>(gene.transcripts[m.transcript].sequence.size())
                                                            : m.anchor + 1;
    const std::uint32_t end = std::min(n, distance), start = end > L2 ? end - L2 : 0;
    if (m.kind == MoleculeKind::Spliced) {
        const Transcript& tx = gene.transcripts[m.transcript];
        f.r2 = dna::reverse_complement(std::string_view(tx.sequence).substr(start, end - start));
        f.five.assign(tx.sequence, 0, std::min<std::size_t>(end, layout.read1_length));
        std::tie(f.leftmost, f.junction) = genomic_span(gene, tx, start, end);
        f.transcript_id = tx.id;
        f.region = "exonic";
        f.molecule = "spliced";
    } else {
        const std::uint32_t g0 = gene.strand == '+' ? gene.start + start : gene.end - end;
        const std::uint32_t g1 = gene.strand == '+' ? gene.start + end : gene.end - start;
        f.r2 = oriented_sequence(reference, gene.chrom, g0, g1, gene.strand == '+' ? '-' : '+');
        const std::uint32_t f1 = std::min(end, layout.read1_length);
        f.five = gene.strand == '+' ? oriented_sequence(reference, gene.chrom, gene.start, gene.start + f1, '+')
                                    : oriented_sequence(reference, gene.chrom, gene.end - f1, gene.end, '-');
        from_pre_mrna(f, gene, g0, g1);
    }
    from_gene(f, reference, gene);
    return f;
}

/// Molecule m seen from its 3' end (10x 3'): R2 reads sense from `distance` bases before the
/// polyA site (of the transcript, or of the pre-mRNA primed at m.anchor; intergenic DNA as drawn).
Fragment three_prime_fragment(const Reference& reference, const Molecule& m, std::uint32_t distance, std::uint32_t L2) {
    Fragment f;
    if (m.kind == MoleculeKind::Intergenic) {
        const auto len = static_cast<std::uint32_t>(reference.chrom_sequences[m.chrom].size());
        const std::uint32_t g0 = std::min(m.anchor, len - L2);
        f.r2 = oriented_sequence(reference, m.chrom, g0, g0 + L2, m.strand);
        f.leftmost = g0;
        f.region = f.molecule = "intergenic";
        f.chrom = reference.chrom_names[m.chrom];
        f.strand = m.strand;
        return f;
    }
    const Gene& gene = reference.genes[m.gene];
    if (m.kind == MoleculeKind::Spliced) {
        const Transcript& tx = gene.transcripts[m.transcript];
        const auto n = static_cast<std::uint32_t>(tx.sequence.size());
        const std::uint32_t start = distance >= n ? 0 : n - distance;
        const std::uint32_t end = std::min(n, start + L2);
        f.r2.assign(tx.sequence, start, end - start);
        std::tie(f.leftmost, f.junction) = genomic_span(gene, tx, start, end);
        f.transcript_id = tx.id;
        f.region = "exonic";
        f.molecule = "spliced";
    } else {
        const std::uint32_t end_locus = m.anchor + 1;
        const std::uint32_t start = distance >= end_locus ? 0 : end_locus - distance;
        const std::uint32_t end = std::min(end_locus, start + L2);
        const std::uint32_t g0 = gene.strand == '+' ? gene.start + start : gene.end - end;
        const std::uint32_t g1 = gene.strand == '+' ? gene.start + end : gene.end - start;
        f.r2 = oriented_sequence(reference, gene.chrom, g0, g1, gene.strand);
        from_pre_mrna(f, gene, g0, g1);
    }
    from_gene(f, reference, gene);
    return f;
}

/// R1 (barcode, UMI, then poly(dT) for 3' or TSO + the molecule's 5' end for 5') and R2 past a
/// short insert, which runs into what follows the cDNA in the library.
void add_adapters(const ReadLayout& layout, const std::string& barcode, const std::string& umi, const std::string& five,
                  std::string& r1, std::string& r2) {
    const std::uint32_t L2 = layout.read2_length;
    r1 = barcode + umi;
    if (layout.five_prime) {
        // R1: barcode, UMI, TSO, then the molecule's 5' end (sense); R2 past a short insert
        // runs into the TSO, UMI and barcode.
        r1 += kTso;
        r1 += five;
        r1.resize(std::max<std::size_t>(layout.read1_length, r1.size()), 'A');
        r1.resize(layout.read1_length);
        if (r2.size() < L2) {
            r2 += dna::reverse_complement(kTso) + dna::reverse_complement(umi) + dna::reverse_complement(barcode);
            r2 += dna::reverse_complement(kRead1Adapter);
            r2.resize(L2, 'A');
        }
        return;
    }
    r1.resize(std::max<std::size_t>(layout.read1_length, r1.size()), 'T');  // poly(dT) after the UMI
    r1.resize(layout.read1_length);
    if (r2.size() < L2) {
        // Short insert: the read runs through the polyA tail into the UMI, barcode and Read 1 primer.
        r2.append(30, 'A');
        r2 += dna::reverse_complement(umi) + dna::reverse_complement(barcode);
        r2 += dna::reverse_complement(kRead1Adapter);
        r2.resize(L2, 'A');
    }
}

/// Illumina-style name: instrument, run, flowcell, lane, tile, x, y from the lane-wide ordinal.
void read_name(std::string& name, std::uint32_t lane, std::uint64_t ordinal) {
    name = "KPF:1:SIMFC01:";
    append_number(name, lane);
    name += ':';
    append_number(name, 1101 + ordinal / 9'000'000);
    name += ':';
    append_number(name, 1000 + (ordinal / 3000) % 3000);
    name += ':';
    append_number(name, 1000 + ordinal % 3000);
}

void append_fastq(std::string& text, const std::string& name, const char* comment, const std::string& index,
                  const std::string& seq, const std::string& qual) {
    text += '@';
    text += name;
    text += comment;
    text += index;
    text += '\n';
    text += seq;
    text += "\n+\n";
    text += qual;
    text += '\n';
}

/// One row of truth/reads/<sample>.tsv.gz.
void append_truth(std::string& t, const std::string& name, std::uint32_t lane, const std::string& barcode,
                  const std::string& umi, const Fragment& f, std::uint32_t insert_bases) {
    t += name;
    t += '\t';
    append_number(t, lane);
    for (const std::string* field : {&barcode, &umi, &f.gene_id, &f.transcript_id, &f.region, &f.chrom}) {
        t += '\t';
        t += *field;
    }
    t += '\t';
    append_number(t, f.leftmost + 1);
    t += '\t';
    t += f.strand;
    t += '\t';
    t += f.junction ? '1' : '0';
    t += '\t';
    append_number(t, insert_bases);
    t += '\t';
    t += f.molecule;
    t += '\n';
}

}  // namespace

void synthesize_reads(const Reference& reference, const SampleMolecules& sample, const SampleDesign& design,
                      const ReadLayout& layout, std::uint32_t lane, std::uint64_t first_ordinal,
                      std::span<const std::uint32_t> molecule_ids, Rng& rng, bool with_truth, ReadChunk& out) {
    std::normal_distribution<double> z(0.0, 1.0);
    std::string name, r1, r2, i1, q1, q2, qi;
    const std::uint32_t L2 = layout.read2_length;
    for (std::size_t k = 0; k < molecule_ids.size(); ++k) {
        const Molecule& m = sample.molecules[molecule_ids[k]];
        const BarcodeTruth& bt = sample.barcodes[m.barcode];
        read_name(name, lane, first_ordinal + k);
        const std::string barcode = dna::unpack(bt.sequence, layout.barcode_length);
        const std::string umi = dna::unpack(m.umi, layout.umi_length);
        // Distance of the fragment start from the molecule's 3' end (fragmentation after
        // amplification, so each duplicate has its own).
        const auto distance = static_cast<std::uint32_t>(std::clamp(300.0 * std::exp(0.45 * z(rng)), L2 / 3.0, 1500.0));
        Fragment f = layout.five_prime && m.kind != MoleculeKind::Intergenic ? five_prime_fragment(reference, m, distance, layout)
                                                                              : three_prime_fragment(reference, m, distance, L2);
        const auto insert_bases = static_cast<std::uint32_t>(f.r2.size());
        r2 = std::move(f.r2);
        add_adapters(layout, barcode, umi, f.five, r1, r2);
        i1 = design.index_read;
        q1.clear();
        q2.clear();
        qi.clear();
        sequence_bases(r1, q1, rng);
        sequence_bases(r2, q2, rng);
        sequence_bases(i1, qi, rng);
        append_fastq(out.r1, name, " 1:N:0:", i1, r1, q1);
        append_fastq(out.r2, name, " 2:N:0:", i1, r2, q2);
        append_fastq(out.i1, name, " 1:N:0:", i1, i1, qi);
        if (with_truth) append_truth(out.truth, name, lane, barcode, umi, f, insert_bases);
    }
}

}  // namespace kupffer::simulate::internal
