#pragma once
// Readers for a reference genome (FASTA) and its annotation (GTF). Malformed input raises
// InputError naming the file and line.
#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace kupffer::align {

/// Contig name -> upper-case sequence (IUPAC codes other than ACGT become N).
struct Genome {
    std::vector<std::string> names;
    std::vector<std::string> sequences;
    std::unordered_map<std::string, std::uint32_t> index;  ///< name -> position in names
};
Genome read_fasta(const std::filesystem::path& path);

struct ExonInterval {
    std::uint32_t start = 0;  ///< 0-based inclusive
    std::uint32_t end = 0;    ///< exclusive
};

struct AnnotatedTranscript {
    std::string id;
    std::uint32_t gene = 0;  ///< index into Annotation::genes
    std::vector<ExonInterval> exons;  ///< ascending genomic order
};

struct AnnotatedGene {
    std::string id;
    std::string name;
    std::string contig;
    char strand = '+';
    std::uint32_t start = 0;  ///< 0-based span of its exons
    std::uint32_t end = 0;
    std::uint64_t line = 0;      ///< GTF line of its first exon (for messages)
    std::uint64_t end_line = 0;  ///< GTF line of the exon that reaches `end`
};

/// Genes in order of first appearance in the GTF (the order of features.tsv), and transcripts.
struct Annotation {
    std::vector<AnnotatedGene> genes;
    std::vector<AnnotatedTranscript> transcripts;
};
Annotation read_gtf(const std::filesystem::path& path);

}  // namespace kupffer::align
