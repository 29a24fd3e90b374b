// The k-mer table behind the index (align/src/kmer_table.hpp): its results against a plain map of
// every k-mer, whatever the buckets, passes, threads and value width.
#include "kmer_table.hpp"

#include <gtest/gtest.h>

#include <map>

#include "kupffer/core/dna.hpp"
#include "round_trip.hpp"
#include "test_dir.hpp"

using namespace kupffer;
using namespace kupffer::align;
using kupffer::test::TempDir;

namespace {

std::uint64_t next(std::uint64_t& x) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x >> 33;
}

/// 60 random targets of 31..6,030 bases; target 1's first 300 bases copied into ten others (k-mers
/// with eleven occurrences), one target shorter than k, and a run of N.
std::vector<std::string> targets() {
    std::uint64_t x = 2024;
    std::vector<std::string> out;
    for (int t = 0; t < 60; ++t) {
        std::string s(31 + next(x) % 6000, 'A');
        for (auto& c : s) c = "ACGT"[next(x) & 3];
        out.push_back(std::move(s));
    }
    for (int t = 0; t < 10; ++t) out[t * 5].replace(10, 300, out[1].substr(0, std::min<std::size_t>(300, out[1].size())));
    out[7] = "ACGTACGTAC";
    out[9].replace(40, 20, std::string(20, 'N'));
    return out;
}

using Truth = std::map<std::uint64_t, std::vector<Posting>>;
Truth every_kmer(const std::vector<std::string>& seqs) {
    Truth truth;
    for (std::uint32_t t = 0; t < seqs.size(); ++t)
        dna::for_each_kmer(seqs[t], 31, [&](std::uint64_t kmer, std::uint32_t pos, std::uint32_t) { truth[kmer].push_back({t, pos}); });
    return truth;
}

void expect_same_as(const KmerTable& table, const Truth& truth) {
    std::vector<Posting> found;
    std::size_t wrong = 0;
    for (const auto& [kmer, postings] : truth) {
        table.find(kmer, found);
        wrong += found.size() != postings.size() ||
                 !std::equal(found.begin(), found.end(), postings.begin(),
                             [](const Posting& a, const Posting& b) { return a.target == b.target && a.position == b.position; });
    }
    EXPECT_EQ(wrong, 0U);
    std::uint64_t x = 77, false_hits = 0;
    for (int i = 0; i < 100'000; ++i) {
        const std::uint64_t kmer = ((next(x) << 31) ^ next(x)) & ((std::uint64_t{1} << 62) - 1);
        table.find(kmer, found);
        false_hits += !found.empty() && !truth.contains(kmer);
    }
    EXPECT_EQ(false_hits, 0U);
    EXPECT_EQ(table.distinct(), truth.size());
    // find_many: present and absent k-mers interleaved, in more than one prefetch group.
    std::vector<std::uint64_t> kmers;
    std::size_t nth = 0;
    for (auto it = truth.begin(); it != truth.end() && kmers.size() < 1000; ++it, ++nth) {
        if (nth % 37) continue;
        kmers.push_back(it->first);
        kmers.push_back((next(x) << 20 ^ next(x)) & ((std::uint64_t{1} << 62) - 1));
    }
    std::vector<Posting> many;
    std::vector<std::uint32_t> ends;
    table.find_many(kmers, many, ends);
    ASSERT_EQ(ends.size(), kmers.size());
    std::size_t mismatched = 0;
    for (std::size_t i = 0; i < kmers.size(); ++i) {
        table.find(kmers[i], found);
        const std::uint32_t begin = i ? ends[i - 1] : 0;
        mismatched += !std::equal(found.begin(), found.end(), many.begin() + begin, many.begin() + ends[i],
                                  [](const Posting& a, const Posting& b) { return a.target == b.target && a.position == b.position; });
    }
    EXPECT_EQ(mismatched, 0U);
    EXPECT_GT(kmers.size(), 64U);
}


}  // namespace

TEST(KmerTable, FindsExactlyEveryOccurrenceWithOneOrManyBucketsAndPasses) {
    const auto seqs = targets();
    const Truth truth = every_kmer(seqs);
    ASSERT_EQ(truth.at(*dna::pack(seqs[1].substr(100, 31))).size(), 11U);
    KmerTable::Options one;  // one bucket, one pass
    one.threads = 1;
    expect_same_as(KmerTable::build(seqs, one), truth);
    // ~600 buckets gathered ~30 at a time: k-mers and their postings cross bucket and pass edges.
    KmerTable::Options many = one;
    many.occurrences_per_bucket = 300;
    many.occurrences_per_pass = 10'000;
    for (int threads : {1, 2}) {
        many.threads = threads;
        expect_same_as(KmerTable::build(seqs, many), truth);
    }
}

TEST(KmerTable, SavesTheSameBytesWithOneOrTwoThreadsAndLoadsBackAcrossThe32BitBoundary) {
    // Values 41 bits wide (the several-occurrences flag at bit 40, postings offsets and positions
    // in 40 bits): the layout a reference of more than 4 G bases gets, on a small one.
    const auto seqs = targets();
    const Truth truth = every_kmer(seqs);
    TempDir dir;
    KmerTable::Options options;
    options.occurrences_per_bucket = 1000;
    options.occurrences_per_pass = 20'000;
    std::string bytes[2];
    for (int threads : {1, 2}) {
        options.min_position_bits = 40;
        options.threads = threads;
        bytes[threads - 1] = saved(KmerTable::build(seqs, options), dir, "t" + std::to_string(threads));
    }
    EXPECT_EQ(bytes[0], bytes[1]);
    const auto from_file = loaded<KmerTable>(dir, "t2", 2);
    expect_same_as(from_file, truth);
    EXPECT_EQ(from_file.bases(), [&] {
        std::uint64_t n = 0;
        for (const auto& s : seqs) n += s.size();
        return n;
    }());
    // The automatic width is narrower, so the file is smaller and reads the same.
    options.min_position_bits = 0;
    EXPECT_LT(saved(KmerTable::build(seqs, options), dir, "narrow").size(), bytes[0].size());
    expect_same_as(loaded<KmerTable>(dir, "narrow", 1), truth);
}

TEST(KmerTable, ADamagedFileIsAnErrorNamingIt) {
    const auto seqs = targets();
    TempDir dir;
    KmerTable::Options options;
    options.occurrences_per_bucket = 1000;
    const std::string good = saved(KmerTable::build(seqs, options), dir, "good");
    // Every byte of the last packed array's tail (the postings) set to 0xff: positions beyond the
    // sequence and counts beyond the array, which a lookup would follow out of bounds.
    std::string bad = good;
    for (std::size_t i = bad.size() - 64; i < bad.size() - 8; ++i) bad[i] = static_cast<char>(0xff);
    expect_refused<KmerTable>(dir, "bad", bad);
}
