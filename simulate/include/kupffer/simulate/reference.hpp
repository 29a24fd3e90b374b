#pragma once
// A synthetic genome with realistic gene structure: multi-exon genes on both strands with GT-AG
// introns, alternative isoforms (exon skipping, alternative polyA), convergent antisense overlaps,
// paralog pairs sharing most of their exonic sequence, and a mitochondrial contig with MT-* genes.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "kupffer/simulate/catalogue.hpp"

namespace kupffer::simulate {

struct Exon {
    std::uint32_t start = 0;  ///< 0-based, inclusive
    std::uint32_t end = 0;    ///< 0-based, exclusive
    std::uint32_t length() const noexcept { return end - start; }
};

struct Transcript {
    std::string id;
    std::vector<Exon> exons;  ///< ascending genomic order
    double weight = 1.0;      ///< relative abundance among the gene's isoforms
    std::string sequence;     ///< mature mRNA, sense, 5'->3'
};

struct Gene {
    std::string id;
    std::string name;
    GeneCategory category = GeneCategory::Background;
    std::uint32_t chrom = 0;
    char strand = '+';
    std::uint32_t start = 0;  ///< 0-based, inclusive (span of all isoforms)
    std::uint32_t end = 0;    ///< exclusive
    std::vector<Transcript> transcripts;  ///< [0] is the canonical isoform
    std::string paralog_of;               ///< gene id this one was copied from, or ""
};

struct Reference {
    std::vector<std::string> chrom_names;
    std::vector<std::string> chrom_sequences;
    std::vector<Gene> genes;  ///< sorted by (chrom, start)
    /// A reference over a real annotation: the GTF its first `annotated_genes` genes come from
    /// (write_gtf copies it as it is and appends the simulated genes).
    std::filesystem::path annotation;
    std::size_t annotated_genes = 0;
};

/// Gene structure. Compact: short genes (median ~5 kb with introns, introns 80 b-8 kb, <= 12 exons)
/// on 5 Mb contigs, so small test references hold many genes. Primate: the length distributions of
/// human/rhesus genes (about 9 exons; exons ~125 b inside, 3' exons ~1.3 kb; introns median
/// ~1.6 kb, log-normal with a tail past 1 Mb, an eighth over 10 kb), chromosomes of up to 150 Mb,
/// and some genes nested in another's intron (mostly on the other strand), for genome-scale runs.
enum class GeneModel { Compact, Primate };
GeneModel parse_gene_model(const std::string& name);  ///< "compact" or "primate"; OptionError otherwise
const char* to_string(GeneModel model);

struct ReferenceOptions {
    std::uint64_t seed = 1;
    /// Total nuclear genome length in bases (the mitochondrial contig is extra).
    std::uint64_t genome_size = 12'000'000;
    /// Number of nuclear genes, named ones included (at least the named catalogue's size).
    std::uint32_t genes = 1000;
    double paralog_fraction = 0.02;   ///< of background genes, copied from another gene
    double paralog_divergence = 0.03; ///< per-base substitution rate between paralogs' exons
    double antisense_fraction = 0.03; ///< genes overlapping their neighbour's 3' end on the other strand
    double alt_isoform_fraction = 0.35;
    GeneModel gene_model = GeneModel::Compact;
    /// Genes placed inside a long intron of the gene before them (Primate; Compact has none, so
    /// its references stay as they were).
    double nested_fraction = 0.1;
};

/// Builds the reference; throws OptionError if the genes cannot fit in genome_size.
Reference simulate_reference(const ReferenceOptions& options);

/// Genes from a real annotation instead of simulated ones.
struct AnnotatedReferenceOptions {
    std::uint64_t seed = 1;
    std::filesystem::path gtf;     ///< GTF (plain or gzip), e.g. RefSeq's or GENCODE's
    std::filesystem::path genome;  ///< its FASTA; empty = random sequence, each contig 100 kb past its last exon
};

/// The GTF's genes (ids and names as given; a gene named like a catalogue gene plays its role)
/// and, on contigs of their own (kupffer_chr1, kupffer_chrM), the catalogue's named and
/// mitochondrial genes the GTF lacks, so cell types, QC and the study's answers still work. On a
/// random genome the GTF's introns get GT..AG splice sites; a given genome is used as it is.
/// Transcripts under 50 nt (mature miRNAs) express nothing: 10x libraries capture polyadenylated
/// RNA; genes with no other transcript are left out of the reference (not of its GTF).
/// Throws InputError for a gene outside the given genome, naming the GTF line.
Reference annotated_reference(const AnnotatedReferenceOptions& options);

/// Writes genome.fa (60-column FASTA) atomically.
void write_fasta(const Reference& reference, const std::filesystem::path& path);
/// Writes an Ensembl-style GTF (gene, transcript, exon lines) atomically; over a real annotation,
/// that GTF's lines first, then the simulated genes'.
void write_gtf(const Reference& reference, const std::filesystem::path& path);

/// Genomic sequence of [start, end) of a chromosome, reverse-complemented if strand is '-'.
std::string oriented_sequence(const Reference& reference, std::uint32_t chrom, std::uint32_t start, std::uint32_t end,
                              char strand);

}  // namespace kupffer::simulate
