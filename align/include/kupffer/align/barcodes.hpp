#pragma once
// Cell-barcode whitelists and correction (as Cell Ranger does): exact whitelist hits are accepted;
// otherwise every whitelisted barcode one substitution away is a candidate, weighted by how often
// it was seen exactly (its prior) and by the probability that the differing base was miscalled
// (its Phred quality), and the best is accepted only if its posterior reaches a threshold.
#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

namespace kupffer::align {

/// A set of equal-length barcodes (up to 32 bases) with fast lookup.
class Whitelist {
public:
    Whitelist() = default;
    /// From packed barcodes of `length` bases (duplicates removed).
    Whitelist(std::vector<std::uint64_t> barcodes, std::uint32_t length);
    /// One barcode per line, plain or gzip; errors name the file and line.
    static Whitelist load(const std::filesystem::path& path);

    /// Index of the barcode in the list, if present.
    std::optional<std::uint32_t> find(std::uint64_t packed) const noexcept;
    /// Prefetching for a batch of lookups, in two rounds some lookups ahead of find: first the
    /// barcode's bucket, then (the bucket now cached) the entries it points at.
    void prefetch_bucket(std::uint64_t packed) const noexcept;
    void prefetch_entries(std::uint64_t packed) const noexcept;
    std::uint64_t barcode(std::uint32_t index) const noexcept { return sorted_[index]; }
    std::size_t size() const noexcept { return sorted_.size(); }
    std::uint32_t length() const noexcept { return length_; }

private:
    std::vector<std::uint64_t> sorted_;
    std::vector<std::uint32_t> bucket_;  ///< first index per top-bits bucket
    std::uint32_t length_ = 0;
    int shift_ = 0;
};

/// Whitelists loaded once and shared by every sample of a run (thread-safe; an entry never moves
/// once loaded, so references stay valid for the cache's lifetime).
class WhitelistCache {
public:
    /// Loads `path` on first use (InputError naming file and line for a bad barcode).
    const Whitelist& get(const std::filesystem::path& path);

private:
    std::mutex mutex_;
    std::map<std::filesystem::path, std::unique_ptr<Whitelist>> loaded_;
};

struct BarcodeCorrectionOptions {
    double min_posterior = 0.975;  ///< Cell Ranger's threshold for accepting a corrected barcode
    double min_error_probability = 0.0005;  ///< floor on a base's miscall probability
};

enum class BarcodeStatus : std::uint8_t { Exact, Corrected, Rejected };

struct BarcodeMatch {
    BarcodeStatus status = BarcodeStatus::Rejected;
    std::uint32_t index = 0;  ///< whitelist index (Exact/Corrected)
};

/// Corrects observed barcodes against a whitelist, using how often each whitelisted barcode was
/// seen exactly as its prior. Read-only after construction: safe to share between threads.
class BarcodeCorrector {
public:
    /// `exact_counts[i]` = reads whose barcode matched whitelist entry i exactly.
    BarcodeCorrector(const Whitelist& whitelist, std::vector<std::uint64_t> exact_counts,
                     BarcodeCorrectionOptions options = {});
    /// `sequence` and `quality` (Phred+33) of the barcode bases; at most one N is tolerated.
    BarcodeMatch correct(std::string_view sequence, std::string_view quality) const noexcept;

private:
    const Whitelist* whitelist_;
    std::vector<double> prior_;
    BarcodeCorrectionOptions options_;
    std::array<double, 256> error_probability_{};  ///< per quality character (Phred+33), floored
};

/// Counts exact whitelist hits of barcode sequences (e.g. a first pass over R1).
class ExactHitCounter {
public:
    explicit ExactHitCounter(const Whitelist& whitelist) : whitelist_(&whitelist), counts_(whitelist.size(), 0) {}
    void add(std::string_view sequence) noexcept;
    void merge(const ExactHitCounter& other) noexcept;
    const std::vector<std::uint64_t>& counts() const noexcept { return counts_; }
    std::uint64_t total() const noexcept { return total_; }
    std::uint64_t hits() const noexcept { return hits_; }

private:
    const Whitelist* whitelist_;
    std::vector<std::uint64_t> counts_;
    std::uint64_t total_ = 0;
    std::uint64_t hits_ = 0;
};

struct InferWhitelistOptions {
    std::uint64_t min_reads = 10;  ///< a barcode needs this many reads to be listed
    /// A barcode one substitution from a listed one with at least this many times its reads is
    /// taken for a sequencing error of it, not listed.
    double error_ratio = 10.0;
};

/// Whitelist-free mode: infers the list of real barcodes from observed barcode read counts
/// (packed barcode -> reads, barcodes with N excluded).
Whitelist infer_whitelist(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& barcode_reads,
                          std::uint32_t length, const InferWhitelistOptions& options = {});

}  // namespace kupffer::align
