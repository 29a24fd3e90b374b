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
        const std::uint64_t ordinal = first_ordinal + k;
        name = "KPF:1:SIMFC01:";
        append_number(name, lane);
        name += ':';
        append_number(name, 1101 + ordinal / 9'000'000);
        name += ':';
        append_number(name, 1000 + (ordinal / 3000) % 3000);
        name += ':';
        append_number(name, 1000 + ordinal % 3000);

        const std::string barcode = dna::unpack(bt.sequence, layout.barcode_length);
        const std::string umi = dna::unpack(m.umi, layout.umi_length);
        r1 = barcode + umi;
        if (!layout.five_prime) {
            r1.resize(std::max<std::size_t>(layout.read1_length, r1.size()), 'T');  // poly(dT) after the UMI
            r1.resize(layout.read1_length);
        } else {
            r1 += kTso;  // the cDNA's 5' end follows, below
        }

        // Distance of the fragment start from the molecule's 3' end (fragmentation after amplification,
        // so each duplicate has its own).
        const auto distance = static_cast<std::uint32_t>(std::clamp(300.0 * std::exp(0.45 * z(rng)), L2 / 3.0, 1500.0));
        std::string gene_id = ".", transcript_id = ".", region, molecule, chrom;
        std::uint32_t leftmost = 0;
        char strand = '+';
        bool junction = false;
        std::string five;  // 5': the molecule's first bases, read by R1 after the TSO
        if (layout.five_prime && m.kind != MoleculeKind::Intergenic) {
            // From the 5' end: the fragment is the molecule's first `distance` bases (up to where
            // reverse transcription began); R2 reads its far end, antisense.
            const Gene& gene = reference.genes[m.gene];
            std::uint32_t n = 0;
            if (m.kind == MoleculeKind::Spliced) n = static_cast<std::uint32_t>(gene.transcripts[m.transcript].sequence.size());
            else n = m.anchor + 1;
            const std::uint32_t end = std::min(n, distance), start = end > L2 ? end - L2 : 0;
            if (m.kind == MoleculeKind::Spliced) {
                const Transcript& tx = gene.transcripts[m.transcript];
                r2 = dna::reverse_complement(std::string_view(tx.sequence).substr(start, end - start));
                five.assign(tx.sequence, 0, std::min<std::size_t>(end, layout.read1_length));
                std::tie(leftmost, junction) = genomic_span(gene, tx, start, end);
                transcript_id = tx.id;
                region = "exonic";
                molecule = "spliced";
            } else {
                const std::uint32_t g0 = gene.strand == '+' ? gene.start + start : gene.end - end;
                const std::uint32_t g1 = gene.strand == '+' ? gene.start + end : gene.end - start;
                r2 = oriented_sequence(reference, gene.chrom, g0, g1, gene.strand == '+' ? '-' : '+');
                const std::uint32_t f1 = std::min(end, layout.read1_length);
                five = gene.strand == '+' ? oriented_sequence(reference, gene.chrom, gene.start, gene.start + f1, '+')
                                          : oriented_sequence(reference, gene.chrom, gene.end - f1, gene.end, '-');
                leftmost = g0;
                molecule = "unspliced";
                region = intronic_bases(gene, g0, g1) > 0 ? "intronic" : "exonic";
            }
            gene_id = gene.id;
            chrom = reference.chrom_names[gene.chrom];
            strand = gene.strand;
        } else if (m.kind == MoleculeKind::Spliced) {
            const Gene& gene = reference.genes[m.gene];
            const Transcript& tx = gene.transcripts[m.transcript];
            const auto n = static_cast<std::uint32_t>(tx.sequence.size());
            const std::uint32_t start = distance >= n ? 0 : n - distance;
            const std::uint32_t end = std::min(n, start + L2);
            r2.assign(tx.sequence, start, end - start);
            std::tie(leftmost, junction) = genomic_span(gene, tx, start, end);
            gene_id = gene.id;
            transcript_id = tx.id;
            region = "exonic";
            molecule = "spliced";
            chrom = reference.chrom_names[gene.chrom];
            strand = gene.strand;
        } else if (m.kind == MoleculeKind::Unspliced) {
            const Gene& gene = reference.genes[m.gene];
            const std::uint32_t end_locus = m.anchor + 1;
            const std::uint32_t start = distance >= end_locus ? 0 : end_locus - distance;
            const std::uint32_t end = std::min(end_locus, start + L2);
            const std::uint32_t g0 = gene.strand == '+' ? gene.start + start : gene.end - end;
            const std::uint32_t g1 = gene.strand == '+' ? gene.start + end : gene.end - start;
            r2 = oriented_sequence(reference, gene.chrom, g0, g1, gene.strand);
            leftmost = g0;
            gene_id = gene.id;
            molecule = "unspliced";
            region = intronic_bases(gene, g0, g1) > 0 ? "intronic" : "exonic";
            chrom = reference.chrom_names[gene.chrom];
            strand = gene.strand;
        } else {
            const auto len = static_cast<std::uint32_t>(reference.chrom_sequences[m.chrom].size());
            const std::uint32_t g0 = std::min(m.anchor, len - L2);
            r2 = oriented_sequence(reference, m.chrom, g0, g0 + L2, m.strand);
            leftmost = g0;
            region = "intergenic";
            molecule = "intergenic";
            chrom = reference.chrom_names[m.chrom];
            strand = m.strand;
        }
        const auto insert_bases = static_cast<std::uint32_t>(r2.size());
        if (layout.five_prime) {
            // R1: barcode, UMI, TSO, then the molecule's 5' end (sense); R2 past a short insert
            // runs into the TSO, UMI and barcode.
            r1 += five;
            r1.resize(std::max<std::size_t>(layout.read1_length, r1.size()), 'A');
            r1.resize(layout.read1_length);
            if (r2.size() < L2) {
                r2 += dna::reverse_complement(kTso) + dna::reverse_complement(umi) + dna::reverse_complement(barcode);
                r2 += dna::reverse_complement(kRead1Adapter);
                r2.resize(L2, 'A');
            }
        } else if (r2.size() < L2) {
            // Short insert: the read runs through the polyA tail into the UMI, barcode and Read 1 primer.
            r2.append(30, 'A');
            r2 += dna::reverse_complement(umi) + dna::reverse_complement(barcode);
            r2 += dna::reverse_complement(kRead1Adapter);
            r2.resize(L2, 'A');
        }
        i1 = design.index_read;

        q1.clear();
        q2.clear();
        qi.clear();
        sequence_bases(r1, q1, rng);
        sequence_bases(r2, q2, rng);
        sequence_bases(i1, qi, rng);

        for (int read = 0; read < 3; ++read) {
            std::string& text = read == 0 ? out.r1 : read == 1 ? out.r2 : out.i1;
            const std::string& seq = read == 0 ? r1 : read == 1 ? r2 : i1;
            const std::string& qual = read == 0 ? q1 : read == 1 ? q2 : qi;
            text += '@';
            text += name;
            text += read == 1 ? " 2:N:0:" : read == 0 ? " 1:N:0:" : " 1:N:0:";
            text += i1;
            text += '\n';
            text += seq;
            text += "\n+\n";
            text += qual;
            text += '\n';
        }
        if (with_truth) {
            std::string& t = out.truth;
            t += name;
            t += '\t';
            append_number(t, lane);
            t += '\t';
            t += barcode;
            t += '\t';
            t += umi;
            t += '\t';
            t += gene_id;
            t += '\t';
            t += transcript_id;
            t += '\t';
            t += region;
            t += '\t';
            t += chrom;
            t += '\t';
            append_number(t, leftmost + 1);
            t += '\t';
            t += strand;
            t += '\t';
            t += junction ? '1' : '0';
            t += '\t';
            append_number(t, insert_bases);
            t += '\t';
            t += molecule;
            t += '\n';
        }
    }
}

}  // namespace kupffer::simulate::internal
