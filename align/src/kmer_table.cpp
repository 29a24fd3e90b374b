#include "kmer_table.hpp"
#include "binary_arrays.hpp"

#include <algorithm>
#include <cerrno>

#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/parallel.hpp"
#include "kupffer/core/random.hpp"

namespace kupffer::align {

namespace fs = std::filesystem;

namespace {

constexpr unsigned kBlockBits = 12;                     // position -> target table: 4,096-base blocks
constexpr std::size_t kTargetsPerChunk = 64;            // the gathering's fixed work pieces

/// A k-mer occurrence while gathering: the k-mer and its global position.
struct Occurrence {
    std::uint64_t kmer, position;
    bool operator<(const Occurrence& o) const noexcept { return kmer != o.kmer ? kmer < o.kmer : position < o.position; }
};

/// One bucket's table, built on its own: its hash function, values (in the function's order) and
/// postings, whose offsets in the values count from this bucket's first posting.
struct BuiltBucket {
    PerfectHash::Function function;
    std::vector<std::uint64_t> values;
    std::vector<std::uint64_t> postings;
};

BuiltBucket build_bucket(std::vector<Occurrence>& occ, std::uint64_t several_flag) {
    std::sort(occ.begin(), occ.end());
    std::vector<std::uint64_t> keys;
    for (std::size_t i = 0; i < occ.size(); ++i)
        if (i == 0 || occ[i].kmer != occ[i - 1].kmer) keys.push_back(occ[i].kmer);
    BuiltBucket b;
    b.function = PerfectHash::build(keys);
    PerfectHash numbering;  // the function on its own, numbering this bucket's keys from 0
    numbering.append(b.function);
    b.values.assign(keys.size(), 0);
    for (std::size_t i = 0; i < occ.size();) {
        std::size_t j = i + 1;
        while (j < occ.size() && occ[j].kmer == occ[i].kmer) ++j;
        const std::uint64_t slot = numbering.lookup(0, occ[i].kmer);
        if (j - i == 1) {
            b.values[slot] = occ[i].position;
        } else {
            b.values[slot] = several_flag | b.postings.size();
            b.postings.push_back(j - i);
            for (std::size_t p = i; p < j; ++p) b.postings.push_back(occ[p].position);
        }
        i = j;
    }
    return b;
}

void write_packed(AtomicFile& out, const PackedInts& p) {
    write_array(out, std::vector<std::uint64_t>{p.width(), p.size()});
    write_array(out, p.words());
}

PackedInts read_packed(std::FILE* f, const fs::path& path, int threads) {
    std::vector<std::uint64_t> shape;
    HugePageVector<std::uint64_t> words;
    read_array(f, path, shape, 1);
    read_array(f, path, words, threads);
    PackedInts p;
    if (shape.size() != 2 || !p.from_words(static_cast<unsigned>(shape[0]), shape[1], std::move(words)))
        throw InputError(path.string(), 0, "corrupt index file (packed array)");
    return p;
}

}  // namespace

std::uint32_t KmerTable::bucket_of(std::uint64_t kmer, std::uint32_t buckets) noexcept {
    return static_cast<std::uint32_t>(((fmix64(kmer) >> 32) * buckets) >> 32);
}

KmerTable KmerTable::build(const std::vector<std::string>& sequences, const Options& options) {
    KmerTable table;
    table.k_ = options.k;
    // The bases, 2 bits each (N as A: no k-mer with an N is indexed, so none is ever read back).
    table.starts_.push_back(0);
    for (const auto& s : sequences) {
        if (s.size() >= (std::uint64_t{1} << 32)) throw Error("a transcript or intron of 4 Gb or more cannot be indexed");  // Posting's 32-bit position
        table.starts_.push_back(table.starts_.back() + s.size());
    }
    const std::uint64_t bases = table.starts_.back();
    table.sequence_.assign(bases / 32 + 2, 0);
    constexpr std::size_t kWordsPerPiece = std::size_t{1} << 16;  // each word filled by one piece
    parallel_chunks(bases / 32 + 1, kWordsPerPiece, options.threads, [&](std::size_t, std::size_t first_word, std::size_t end_word) {
        const std::uint64_t begin = first_word * 32, end = std::min<std::uint64_t>(end_word * 32, bases);
        std::size_t t = std::upper_bound(table.starts_.begin(), table.starts_.end(), begin) - table.starts_.begin() - 1;
        for (std::uint64_t at = begin; at < end; ++at) {
            while (table.starts_[t + 1] <= at) ++t;
            const auto code = dna::encode_base(sequences[t][at - table.starts_[t]]);
            table.sequence_[at / 32] |= std::uint64_t{code == dna::kInvalid ? 0U : code} << (62 - 2 * (at % 32));
        }
    });
    table.index_targets();

    std::uint64_t occurrences = 0;
    for (const auto& s : sequences) occurrences += s.size() >= options.k ? s.size() - options.k + 1 : 0;
    const auto n_buckets = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(occurrences / std::max<std::uint64_t>(options.occurrences_per_bucket, 1), 1, 1U << 20));
    // A value holds a position in the bases or an offset in the postings (at most 2 per occurrence).
    const unsigned position_bits =
        std::max(options.min_position_bits, PackedInts::bits_for(std::max<std::uint64_t>(bases, 2 * occurrences + 1)));
    if (position_bits + 1 > 56) throw Error("the reference is too large for the k-mer table (positions over 55 bits)");
    const std::uint64_t several = std::uint64_t{1} << position_bits;
    table.values_ = PackedInts(position_bits + 1);
    table.postings_ = PackedInts(position_bits);
    // Reserved at their largest (a value per occurrence; a count and positions per repeated k-mer,
    // 1.5 per occurrence at most): pages never written are never resident, and the arrays do
    // not double into copies of themselves near the build's peak.
    table.values_.reserve(occurrences);
    table.postings_.reserve(occurrences + occurrences / 2);
    table.hash_.reserve(occurrences);
    const std::uint32_t per_pass = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(
        n_buckets * options.occurrences_per_pass / std::max<std::uint64_t>(occurrences, 1), 1, n_buckets));
    for (std::uint32_t first = 0; first < n_buckets; first += per_pass) {
        const std::uint32_t last = std::min(n_buckets, first + per_pass);
        // Gather this pass's occurrences per chunk of targets, then per bucket in chunk order.
        const std::size_t n_chunks = (sequences.size() + kTargetsPerChunk - 1) / kTargetsPerChunk;
        std::vector<std::vector<std::vector<Occurrence>>> gathered(n_chunks);
        parallel_chunks(sequences.size(), kTargetsPerChunk, options.threads, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
            auto& mine = gathered[chunk];
            mine.resize(last - first);
            for (std::size_t t = begin; t < end; ++t)
                dna::for_each_kmer(sequences[t], options.k, [&](std::uint64_t kmer, std::uint32_t pos, std::uint32_t) {
                    const std::uint32_t b = bucket_of(kmer, n_buckets);
                    if (b >= first && b < last) mine[b - first].push_back({kmer, table.starts_[t] + pos});
                });
        });
        std::vector<BuiltBucket> built(last - first);
        parallel_for(last - first, options.threads, [&](std::size_t b) {
            std::vector<Occurrence> occ;
            for (auto& chunk : gathered) {
                occ.insert(occ.end(), chunk[b].begin(), chunk[b].end());
                std::vector<Occurrence>().swap(chunk[b]);
            }
            built[b] = build_bucket(occ, several);
        });
        for (auto& b : built) {  // appended in bucket order
            const std::uint64_t base = table.postings_.size();
            for (const auto v : b.values) table.values_.push_back(v & several ? several | (base + (v & ~several)) : v);
            for (const auto p : b.postings) table.postings_.push_back(p);
            table.hash_.append(b.function);
        }
    }
    table.occurrences_ = occurrences;
    return table;
}

void KmerTable::index_targets() {
    const std::uint64_t blocks = (bases() >> kBlockBits) + 1;
    block_targets_.assign(blocks, 0);
    std::uint32_t t = 0;
    for (std::uint64_t b = 0; b < blocks; ++b) {
        while (t + 2 < starts_.size() && starts_[t + 1] <= b << kBlockBits) ++t;
        block_targets_[b] = t;
    }
}

std::uint64_t KmerTable::kmer_at(std::uint64_t position) const noexcept {
    const std::uint64_t word = position / 32, shift = 2 * (position % 32);
    std::uint64_t bits = sequence_[word] << shift;
    if (shift) bits |= sequence_[word + 1] >> (64 - shift);
    return bits >> (64 - 2 * k_);
}

std::uint32_t KmerTable::target_at(std::uint64_t position) const noexcept {
    std::uint32_t t = block_targets_[position >> kBlockBits];
    while (starts_[t + 1] <= position) ++t;
    return t;
}

PerfectHash::Probe KmerTable::probe(std::uint64_t kmer) const noexcept {
    PerfectHash::Probe p{kmer, bucket_of(kmer, hash_.buckets()), 0, nullptr, 0};
    hash_.aim(p);
    return p;
}

void KmerTable::decode(std::uint64_t kmer, std::uint64_t value, std::vector<Posting>& out) const {
    const std::uint64_t several = std::uint64_t{1} << postings_.width();
    auto add = [&](std::uint64_t position) {
        const std::uint32_t t = target_at(position);
        out.push_back({t, static_cast<std::uint32_t>(position - starts_[t])});
    };
    if (!(value & several)) {
        if (kmer_at(value) == kmer) add(value);
        return;
    }
    const std::uint64_t at = value & ~several, count = postings_.get(at);
    if (kmer_at(postings_.get(at + 1)) != kmer) return;
    for (std::uint64_t i = 0; i < count; ++i) add(postings_.get(at + 1 + i));
}

void KmerTable::find(std::uint64_t kmer, std::vector<Posting>& out) const {
    out.clear();
    if (hash_.buckets() == 0) return;
    const std::uint64_t at = hash_.lookup(bucket_of(kmer, hash_.buckets()), kmer);
    if (at != PerfectHash::kNone) decode(kmer, values_.get(at), out);
}

void KmerTable::find_many(std::span<const std::uint64_t> kmers, std::vector<Posting>& out, std::vector<std::uint32_t>& ends) const {
    out.clear();
    ends.clear();
    if (hash_.buckets() == 0) {
        ends.assign(kmers.size(), 0);
        return;
    }
    constexpr std::size_t kGroup = 32;
    constexpr std::uint64_t kAbsent = PerfectHash::kNone;
    std::uint64_t stage[kGroup];
    PerfectHash::Probe probes[kGroup];
    std::uint8_t pending[kGroup];
    const std::uint64_t several = std::uint64_t{1} << postings_.width();
    for (std::size_t first = 0; first < kmers.size(); first += kGroup) {
        const std::size_t n = std::min(kGroup, kmers.size() - first);
        std::size_t n_pending = 0;
        for (std::size_t i = 0; i < n; ++i) {  // aim at (prefetch) each k-mer's first level
            probes[i] = probe(kmers[first + i]);
            pending[n_pending++] = static_cast<std::uint8_t>(i);
        }
        while (n_pending) {  // read a level of each; prefetch the value or the next level
            std::size_t still = 0;
            for (std::size_t j = 0; j < n_pending; ++j) {
                const std::size_t i = pending[j];
                stage[i] = hash_.step(probes[i]);
                if (stage[i] == PerfectHash::kNext) pending[still++] = static_cast<std::uint8_t>(i);
                else if (stage[i] != kAbsent) __builtin_prefetch(values_.address_of(stage[i]));
            }
            n_pending = still;
        }
        for (std::size_t i = 0; i < n; ++i) {  // the values; prefetch the sequence or the postings
            if (stage[i] == kAbsent) continue;
            stage[i] = values_.get(stage[i]);
            if (stage[i] & several) __builtin_prefetch(postings_.address_of(stage[i] & ~several));
            else __builtin_prefetch(&sequence_[stage[i] / 32]);
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (stage[i] != kAbsent) decode(kmers[first + i], stage[i], out);
            ends.push_back(static_cast<std::uint32_t>(out.size()));
        }
    }
}

std::uint64_t KmerTable::memory_bytes() const noexcept {
    return 8 * (sequence_.size() + starts_.size() + values_.words().size() + postings_.words().size()) + 4 * block_targets_.size() +
           hash_.memory_bytes();
}

void KmerTable::save(AtomicFile& out) const {
    write_array(out, std::vector<std::uint64_t>{k_, occurrences_});
    write_array(out, sequence_);
    write_array(out, starts_);
    hash_.save(out);
    write_packed(out, values_);
    write_packed(out, postings_);
}

KmerTable KmerTable::load(std::FILE* f, const fs::path& path, int threads) {
    KmerTable table;
    std::vector<std::uint64_t> head;
    read_array(f, path, head, 1);
    if (head.size() != 2 || head[0] < 15 || head[0] > 31) throw InputError(path.string(), 0, "corrupt index file (k-mer table)");
    table.k_ = static_cast<std::uint32_t>(head[0]);
    table.occurrences_ = head[1];
    read_array(f, path, table.sequence_, threads);
    read_array(f, path, table.starts_, 1);
    table.hash_ = PerfectHash::load(f, path, threads);
    table.values_ = read_packed(f, path, threads);
    table.postings_ = read_packed(f, path, threads);
    auto corrupt = [&](const char* what) { return InputError(path.string(), 0, std::string("corrupt index file (") + what + ")"); };
    if (table.starts_.empty() || table.sequence_.size() < table.bases() / 32 + 2) throw corrupt("sequence");
    if (table.hash_.keys() != table.values_.size()) throw corrupt("buckets");
    // Every value must point inside the sequence or the postings: checked in fixed pieces.
    const std::uint64_t several = std::uint64_t{1} << table.postings_.width(), bases = table.bases();
    const std::uint64_t n = table.values_.size(), n_post = table.postings_.size();
    constexpr std::size_t kPiece = std::size_t{1} << 20;
    std::vector<char> piece_ok((n + kPiece - 1) / kPiece, 1);
    parallel_chunks(n, kPiece, threads, [&](std::size_t piece, std::size_t begin, std::size_t end) {
        bool ok = true;
        for (std::size_t i = begin; i < end; ++i) {
            const std::uint64_t v = table.values_.get(i);
            if (v & several) {
                const std::uint64_t p = v & ~several;
                ok &= p + 1 < n_post && table.postings_.get(p) + p < n_post;
            } else {
                ok &= v + table.k_ <= bases;
            }
        }
        piece_ok[piece] = ok;
    });
    if (table.values_.width() != table.postings_.width() + 1 || std::find(piece_ok.begin(), piece_ok.end(), 0) != piece_ok.end())
        throw corrupt("values");
    for (std::uint64_t p = 0; p < n_post;) {  // lists of positions, each after its count
        const std::uint64_t count = table.postings_.get(p);
        if (count < 2 || count >= n_post - p) throw corrupt("postings");
        for (std::uint64_t i = 1; i <= count; ++i)
            if (table.postings_.get(p + i) + table.k_ > bases) throw corrupt("postings");
        p += count + 1;
    }
    table.index_targets();
    return table;
}

}  // namespace kupffer::align
