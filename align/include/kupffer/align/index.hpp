#pragma once
// The k-mer index of a reference: every k-mer of every mature transcript and of every gene's
// introns (each flanked by k-1 exonic bases, as alevin-fry's "splici" reference), in the sense
// orientation, with its positions. Reads matching transcripts are spliced, reads matching introns
// unspliced. Saved to a folder, versioned, fingerprinted by its inputs, loaded in bulk.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace kupffer::align {

/// Bumped whenever the on-disk layout or the index's meaning changes.
/// 2: targets carry their genomic layout (contig, strand, blocks), for BAM output.
/// 3: a k-mer found once keeps its posting inline in its entry.
/// 4: the entries are the hash table (no separate slot array): one cache miss per lookup.
/// 5: a compact table (2-bit sequence, minimal perfect hashing, bit-packed positions): ~4.5 bytes
///    a distinct k-mer instead of ~23, so a primate genome's genes and introns fit a node.
/// 6: the hash functions' bits and ranks share cache lines, and a lookup can be prefetched level
///    by level (perfect_hash.hpp) instead of BBHash's opaque lookups.
inline constexpr std::uint32_t kIndexFormatVersion = 6;

struct IndexOptions {
    std::uint32_t k = 31;  ///< k-mer length (odd, 15..31)
    int threads = 0;       ///< 0 = all hardware threads; never changes the index
    bool overwrite = false;
    /// Refuse to build (OptionError, before reading the genome) when estimate_index() says the
    /// build needs more than this many bytes; 0 = no limit.
    std::uint64_t memory_bytes = 0;
};

/// What building and using an index of a reference will take, from the GTF and the genome's size
/// alone, in seconds (no k-mer is counted): the numbers `kupffer index --dry-run` prints and the
/// check behind IndexOptions::memory_bytes. The byte counts follow the build's data structures
/// (docs/align.md "Memory"), checked against measured builds.
struct IndexEstimate {
    std::uint64_t genome_bases = 0;
    std::uint64_t genes = 0, transcripts = 0, introns = 0;
    std::uint64_t target_bases = 0;      ///< bases of every target (transcripts, flanked introns)
    std::uint64_t kmer_occurrences = 0;  ///< k-mers of every target
    std::uint64_t distinct_kmers = 0;    ///< each gene's exonic sequence and junctions once, plus its introns
    std::uint64_t postings = 0;          ///< positions of k-mers found more than once (an upper estimate)
    std::uint64_t build_bytes = 0;       ///< peak memory of `kupffer index`
    std::uint64_t map_bytes = 0;         ///< the loaded index, which `kupffer map` holds
    std::uint64_t disk_bytes = 0;        ///< the index folder
};
IndexEstimate estimate_index(const std::filesystem::path& fasta, const std::filesystem::path& gtf, const IndexOptions& options);
/// One paragraph for people: the estimate's numbers in G/M units.
std::string describe(const IndexEstimate& estimate);

enum class TargetKind : std::uint8_t { Transcript = 0, Intron = 1 };

struct IndexTarget {
    std::string name;  ///< transcript id, or <gene id>-I<n> for introns
    std::uint32_t gene = 0;
    TargetKind kind = TargetKind::Transcript;
    std::uint32_t length = 0;
};

/// Where a target lies in the genome: its contig, strand and blocks (exons of a transcript, or
/// one block for a flanked intron), ascending, half-open, 0-based. The target's sequence is the
/// blocks' bases joined, reverse-complemented on the minus strand.
struct TargetLayout {
    std::uint32_t contig = 0;  ///< into Index::contig_names()
    char strand = '+';
    std::vector<std::pair<std::uint32_t, std::uint32_t>> blocks;
};

struct Posting {
    std::uint32_t target;
    std::uint32_t position;  ///< of the k-mer's first base in the target
};

class KmerTable;

class Index {
public:
    Index();
    ~Index();
    Index(Index&&) noexcept;
    Index& operator=(Index&&) noexcept;

    /// Builds from a genome FASTA and a GTF; errors name the file and line.
    static Index build(const std::filesystem::path& fasta, const std::filesystem::path& gtf, const IndexOptions& options);
    /// Writes the index folder atomically (OptionError if it exists and overwrite is false).
    /// `before_commit` may add files (a provenance manifest) to the staging folder first.
    void save(const std::filesystem::path& folder, bool overwrite,
              const std::function<void(const std::filesystem::path& staging)>& before_commit = {}) const;
    /// Loads a saved index; InputError if it was written by an incompatible format version, or,
    /// with `expected_fingerprint`, built from other inputs. `threads` (0: all hardware threads)
    /// read and check the large arrays in parallel; the loaded index is the same.
    static Index load(const std::filesystem::path& folder, std::optional<std::uint64_t> expected_fingerprint = {}, int threads = 0);

    std::uint32_t k() const noexcept { return k_; }
    std::uint64_t fingerprint() const noexcept { return fingerprint_; }
    const std::vector<std::string>& gene_ids() const noexcept { return gene_ids_; }
    const std::vector<std::string>& gene_names() const noexcept { return gene_names_; }
    const std::vector<IndexTarget>& targets() const noexcept { return targets_; }
    /// Genome contigs in FASTA order (a BAM header's @SQ lines) and each target's layout on them.
    const std::vector<std::string>& contig_names() const noexcept { return contig_names_; }
    const std::vector<std::uint32_t>& contig_lengths() const noexcept { return contig_lengths_; }
    const TargetLayout& layout(std::uint32_t target) const noexcept { return layouts_[target]; }
    std::size_t distinct_kmers() const noexcept;
    /// K-mer occurrences in the targets (each a posting).
    std::size_t postings() const noexcept;
    /// Bytes the loaded index's k-mer table holds.
    std::uint64_t table_bytes() const noexcept;

    /// Positions of a packed (2-bit, forward) k-mer, ascending by target and position, decoded into
    /// `out` (cleared first; empty if absent). Returns them as a view of `out`.
    std::span<const Posting> find(std::uint64_t kmer, std::vector<Posting>& out) const;
    /// The same into a fresh vector (tests and tools; the mapper reuses its buffers).
    std::vector<Posting> find(std::uint64_t kmer) const;
    /// find() of several k-mers, their lookups overlapped: k-mer i's postings are
    /// out[ends[i-1] .. ends[i]) (from 0 for the first). Same postings as find(), faster per k-mer.
    void find_many(std::span<const std::uint64_t> kmers, std::vector<Posting>& out, std::vector<std::uint32_t>& ends) const;

private:
    std::uint32_t k_ = 31;
    std::uint64_t fingerprint_ = 0;
    std::vector<std::string> gene_ids_, gene_names_;
    std::vector<IndexTarget> targets_;
    std::vector<std::string> contig_names_;
    std::vector<std::uint32_t> contig_lengths_;
    std::vector<TargetLayout> layouts_;
    std::unique_ptr<KmerTable> table_;  ///< where each k-mer occurs (kmer_table.hpp)
};

/// Fingerprint of a reference's inputs (contents of both files, k and the format version).
std::uint64_t fingerprint_reference(const std::filesystem::path& fasta, const std::filesystem::path& gtf, std::uint32_t k);

}  // namespace kupffer::align
