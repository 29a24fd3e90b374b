#pragma once
// The k-mer table behind Index: where every k-mer of the targets occurs, in about 4.5 bytes a
// distinct k-mer (pufferfish's dense layout, simplified: positions instead of unitigs).
//
//  - The targets' bases, 2 bits each, end to end: a k-mer occurrence is one global position.
//  - Distinct k-mers are split into buckets by hash; each bucket has a minimal perfect hash function
//    (BBHash's cascade, perfect_hash.hpp, ~3.8 bits a k-mer) that numbers its k-mers, and each
//    number a value of ceil(log2(bases)) + 1 bits: the global position of the k-mer's only
//    occurrence, or (top bit set) where its list of occurrences starts in the postings (a count,
//    then positions).
//  - A lookup hashes into the bucket's function, reads the value, and checks the k-mer against the
//    sequence at its (first) position: a k-mer not in the targets is found nowhere, as with an
//    explicit table, without storing 62-bit keys.
//
// The build gathers k-mer occurrences a group of buckets at a time (a pass over the targets per
// group), so its memory is bounded by the table plus one group, not by all occurrences at once.
// Buckets are built in parallel and appended in bucket order: the table does not depend on the
// thread count.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "kupffer/align/index.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/core/packed_ints.hpp"
#include "perfect_hash.hpp"

namespace kupffer::align {

class KmerTable {
public:
    struct Options {
        std::uint32_t k = 31;
        int threads = 0;
        /// K-mer occurrences gathered per pass (16 bytes each while gathered); bounds the build's
        /// memory beyond the table itself.
        std::uint64_t occurrences_per_pass = std::uint64_t{1} << 26;
        /// K-mer occurrences a bucket (one hash function) aims at.
        std::uint64_t occurrences_per_bucket = std::uint64_t{1} << 21;
        /// Widest position the values must hold, at least: 0 sizes them to the targets. Tests
        /// raise it to put small tables across the 32-bit boundary.
        unsigned min_position_bits = 0;
    };
    /// Every k-mer (without N) of every sequence; sequence t is target t.
    static KmerTable build(const std::vector<std::string>& sequences, const Options& options);
    /// Occurrences of a packed (2-bit, first base highest) k-mer as (target, position), ascending;
    /// `out` is cleared first and left empty when the k-mer occurs nowhere.
    void find(std::uint64_t kmer, std::vector<Posting>& out) const;
    /// find() of several k-mers at once, into `out` one after another; `ends[i]` is one past the
    /// last posting of `kmers[i]`. Each stage of a lookup (hash function, value, sequence) is
    /// prefetched for a group of k-mers before the next stage reads it, so their cache misses
    /// overlap instead of following each other: a read's ~15 k-mers cost little more than one.
    void find_many(std::span<const std::uint64_t> kmers, std::vector<Posting>& out, std::vector<std::uint32_t>& ends) const;

    std::uint32_t k() const noexcept { return k_; }
    std::uint64_t distinct() const noexcept { return values_.size(); }
    std::uint64_t occurrences() const noexcept { return occurrences_; }
    std::uint64_t bases() const noexcept { return starts_.empty() ? 0 : starts_.back(); }
    /// Bytes the loaded table holds (the sizes `kupffer index` reports and docs/align.md uses).
    std::uint64_t memory_bytes() const noexcept;

    void save(AtomicFile& out) const;
    /// Reads what save() wrote at the file's position; InputError naming `path` if it is damaged.
    static KmerTable load(std::FILE* f, const std::filesystem::path& path, int threads);

    /// Bucket of a k-mer among `buckets` (public for the build's tests and the estimate).
    static std::uint32_t bucket_of(std::uint64_t kmer, std::uint32_t buckets) noexcept;

private:
    /// A lookup of the k-mer's value begun: its bucket's first level aimed at (prefetched).
    PerfectHash::Probe probe(std::uint64_t kmer) const noexcept;
    /// Appends the postings a k-mer's value leads to, after checking the k-mer at its position.
    void decode(std::uint64_t kmer, std::uint64_t value, std::vector<Posting>& out) const;
    std::uint64_t kmer_at(std::uint64_t position) const noexcept;
    std::uint32_t target_at(std::uint64_t position) const noexcept;
    void index_targets();  // the position -> target table, from starts_

    std::uint32_t k_ = 31;
    std::uint64_t occurrences_ = 0;
    HugePageVector<std::uint64_t> sequence_;    ///< 2-bit bases, first base in the highest bits of a word
    std::vector<std::uint64_t> starts_;         ///< global position where each target begins; one past the end last
    std::vector<std::uint32_t> block_targets_;  ///< first target overlapping each 4,096-base block
    PerfectHash hash_;  ///< numbers the distinct k-mers, bucket after bucket: the index of their value
    PackedInts values_, postings_;
};

}  // namespace kupffer::align
