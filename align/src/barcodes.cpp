#include "kupffer/align/barcodes.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>

#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/text_reader.hpp"

namespace kupffer::align {

namespace {
constexpr int kBucketBits = 20;
}

Whitelist::Whitelist(std::vector<std::uint64_t> barcodes, std::uint32_t length) : sorted_(std::move(barcodes)), length_(length) {
    std::sort(sorted_.begin(), sorted_.end());
    sorted_.erase(std::unique(sorted_.begin(), sorted_.end()), sorted_.end());
    // Buckets on the top bits of the packed value narrow each lookup to a handful of entries.
    const int bits = static_cast<int>(2 * length_);
    shift_ = std::max(0, bits - kBucketBits);
    const std::size_t n_buckets = (std::size_t{1} << std::min(bits, kBucketBits)) + 1;
    bucket_.assign(n_buckets, 0);
    std::size_t i = 0;
    for (std::size_t b = 0; b + 1 < n_buckets; ++b) {
        bucket_[b] = static_cast<std::uint32_t>(i);
        while (i < sorted_.size() && (sorted_[i] >> shift_) == b) ++i;
    }
    bucket_.back() = static_cast<std::uint32_t>(sorted_.size());
}

const Whitelist& WhitelistCache::get(const std::filesystem::path& path) {
    std::lock_guard lock(mutex_);
    auto& slot = loaded_[path];
    if (!slot) slot = std::make_unique<Whitelist>(Whitelist::load(path));
    return *slot;
}

Whitelist Whitelist::load(const std::filesystem::path& path) {
    TextReader reader(path);
    std::string line;
    std::vector<std::uint64_t> barcodes;
    std::uint32_t length = 0;
    while (reader.next_line(line)) {
        if (line.empty()) continue;
        const auto packed = dna::pack(line);
        if (!packed) throw InputError(path.string(), reader.line_number(), "not a barcode of at most 32 A/C/G/T bases: '" + line + "'");
        if (length == 0) length = static_cast<std::uint32_t>(line.size());
        if (line.size() != length)
            throw InputError(path.string(), reader.line_number(),
                             "barcode of " + std::to_string(line.size()) + " bases; earlier ones have " + std::to_string(length));
        barcodes.push_back(*packed);
    }
    if (barcodes.empty()) throw InputError(path.string(), 0, "the whitelist is empty");
    return Whitelist(std::move(barcodes), length);
}

void Whitelist::prefetch_bucket(std::uint64_t packed) const noexcept {
    const std::uint64_t b = packed >> shift_;
    if (b + 1 < bucket_.size()) __builtin_prefetch(&bucket_[b]);
}

void Whitelist::prefetch_entries(std::uint64_t packed) const noexcept {
    const std::uint64_t b = packed >> shift_;
    if (b + 1 < bucket_.size() && bucket_[b] < sorted_.size()) __builtin_prefetch(&sorted_[bucket_[b]]);
}

std::optional<std::uint32_t> Whitelist::find(std::uint64_t packed) const noexcept {
    const std::uint64_t b = packed >> shift_;
    if (b + 1 >= bucket_.size()) return std::nullopt;
    const auto first = sorted_.begin() + bucket_[b];
    const auto last = sorted_.begin() + bucket_[b + 1];
    const auto it = std::lower_bound(first, last, packed);
    if (it == last || *it != packed) return std::nullopt;
    return static_cast<std::uint32_t>(it - sorted_.begin());
}

BarcodeCorrector::BarcodeCorrector(const Whitelist& whitelist, std::vector<std::uint64_t> exact_counts,
                                   BarcodeCorrectionOptions options)
    : whitelist_(&whitelist), prior_(whitelist.size()), options_(options) {
    // A pseudo-count of one read keeps never-seen barcodes possible but unlikely.
    double total = 0;
    for (auto c : exact_counts) total += static_cast<double>(c) + 1.0;
    for (std::size_t i = 0; i < prior_.size(); ++i)
        prior_[i] = (static_cast<double>(i < exact_counts.size() ? exact_counts[i] : 0) + 1.0) / total;
    for (std::size_t q = 0; q < error_probability_.size(); ++q)
        error_probability_[q] = std::max(options_.min_error_probability, std::pow(10.0, -(static_cast<double>(q) - 33.0) / 10.0));
}

BarcodeMatch BarcodeCorrector::correct(std::string_view seq, std::string_view qual) const noexcept {
    const std::uint32_t len = whitelist_->length();
    if (seq.size() < len) return {};
    std::uint64_t packed = 0;
    int n_position = -1;
    for (std::uint32_t i = 0; i < len; ++i) {
        std::uint8_t code = dna::encode_base(seq[i]);
        if (code == dna::kInvalid) {
            if (n_position >= 0) return {};  // two or more Ns: hopeless
            n_position = static_cast<int>(i);
            code = 0;
        }
        packed = (packed << 2) | code;
    }
    if (n_position < 0)
        if (auto hit = whitelist_->find(packed)) return {BarcodeStatus::Exact, *hit};

    double total = 0, best = 0;
    std::uint32_t best_index = 0;
    auto consider = [&](std::uint32_t pos) {
        const int shift = static_cast<int>(2 * (len - 1 - pos));
        const double p_error = error_probability_[static_cast<unsigned char>(qual[pos])];
        const std::uint64_t base = (packed >> shift) & 3U;
        for (std::uint64_t alt = 0; alt < 4; ++alt) {
            if (alt == base && n_position != static_cast<int>(pos)) continue;
            const std::uint64_t candidate = (packed & ~(std::uint64_t{3} << shift)) | (alt << shift);
            if (auto hit = whitelist_->find(candidate)) {
                const double likelihood = prior_[*hit] * p_error;
                total += likelihood;
                if (likelihood > best) best = likelihood, best_index = *hit;
            }
        }
    };
    if (n_position >= 0) consider(static_cast<std::uint32_t>(n_position));
    else
        for (std::uint32_t pos = 0; pos < len; ++pos) consider(pos);
    if (total > 0 && best / total >= options_.min_posterior) return {BarcodeStatus::Corrected, best_index};
    return {};
}

void ExactHitCounter::add(std::string_view seq) noexcept {
    ++total_;
    if (seq.size() < whitelist_->length()) return;
    const auto packed = dna::pack(seq.substr(0, whitelist_->length()));
    if (!packed) return;
    if (auto hit = whitelist_->find(*packed)) {
        ++counts_[*hit];
        ++hits_;
    }
}

void ExactHitCounter::merge(const ExactHitCounter& other) noexcept {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    hits_ += other.hits_;
}

Whitelist infer_whitelist(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& barcode_reads, std::uint32_t length,
                          const InferWhitelistOptions& options) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranked;
    for (const auto& [bc, reads] : barcode_reads)
        if (reads >= options.min_reads) ranked.emplace_back(bc, reads);
    // Most-read first; ties by sequence so the result never depends on input order.
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
    std::vector<std::uint64_t> kept;
    std::unordered_map<std::uint64_t, std::uint64_t> kept_reads;
    for (const auto& [bc, reads] : ranked) {
        bool error_of_kept = false;
        for (std::uint32_t pos = 0; pos < length && !error_of_kept; ++pos) {
            const int shift = static_cast<int>(2 * (length - 1 - pos));
            for (std::uint64_t alt = 0; alt < 4 && !error_of_kept; ++alt) {
                const std::uint64_t neighbour = (bc & ~(std::uint64_t{3} << shift)) | (alt << shift);
                if (neighbour == bc) continue;
                auto it = kept_reads.find(neighbour);
                if (it != kept_reads.end() &&
                    static_cast<double>(it->second) >= options.error_ratio * static_cast<double>(reads))
                    error_of_kept = true;
            }
        }
        if (error_of_kept) continue;
        kept.push_back(bc);
        kept_reads.emplace(bc, reads);
    }
    return Whitelist(std::move(kept), length);
}

}  // namespace kupffer::align
