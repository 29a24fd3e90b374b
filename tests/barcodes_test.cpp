#include "kupffer/align/barcodes.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"
#include "test_dir.hpp"

using namespace kupffer;
using namespace kupffer::align;
using kupffer::test::TempDir;

namespace {
std::uint64_t p(const std::string& s) { return *dna::pack(s); }
const std::string kA = "AAAACCCCGGGGTTTT";
const std::string kB = "AAAACCCCGGGGTTTA";  // one substitution from kA (last base)
const std::string kC = "TTTTGGGGCCCCAAAA";
const std::string kHighQ(16, 'F');
}  // namespace

TEST(Whitelist, FindsMembersOnly) {
    const Whitelist w({p(kA), p(kC), p(kA)}, 16);
    EXPECT_EQ(w.size(), 2U);
    ASSERT_TRUE(w.find(p(kA)));
    EXPECT_EQ(w.barcode(*w.find(p(kC))), p(kC));
    EXPECT_FALSE(w.find(p(kB)));
}

TEST(Whitelist, LoadsTenXWhitelistAndRejectsMalformedOnes) {
    const auto path = test::shared_data("whitelists/10xv2_737K-august-2016.txt.gz");
    if (std::filesystem::exists(path)) {
        const auto w = Whitelist::load(path);
        EXPECT_EQ(w.size(), 737'280U);
        EXPECT_EQ(w.length(), 16U);
    }
    TempDir dir;
    std::ofstream(dir / "bad.txt") << kA << "\n" << kA.substr(0, 12) << "\n";
    try {
        Whitelist::load(dir / "bad.txt");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.line(), 2U);
    }
    std::ofstream(dir / "n.txt") << "AAAANAAAAAAAAAAA\n";
    EXPECT_THROW(Whitelist::load(dir / "n.txt"), InputError);
}

TEST(BarcodeCorrector, AcceptsExactAndCorrectsLowQualitySingleErrors) {
    const Whitelist w({p(kA), p(kC)}, 16);
    BarcodeCorrector corrector(w, {1000, 10});
    EXPECT_EQ(corrector.correct(kA, kHighQ).status, BarcodeStatus::Exact);
    // One substitution from kA only: corrected.
    std::string observed = kA;
    observed[3] = 'G';
    auto m = corrector.correct(observed, kHighQ);
    EXPECT_EQ(m.status, BarcodeStatus::Corrected);
    EXPECT_EQ(w.barcode(m.index), p(kA));
    // A single N is resolved to the whitelisted barcode.
    observed = kA;
    observed[7] = 'N';
    EXPECT_EQ(corrector.correct(observed, kHighQ).status, BarcodeStatus::Corrected);
    // Two Ns, or two substitutions, cannot be corrected.
    observed[8] = 'N';
    EXPECT_EQ(corrector.correct(observed, kHighQ).status, BarcodeStatus::Rejected);
    observed = kA;
    observed[0] = 'C';
    observed[1] = 'C';
    EXPECT_EQ(corrector.correct(observed, kHighQ).status, BarcodeStatus::Rejected);
}

TEST(BarcodeCorrector, WeighsAbundanceAndQualityBetweenTwoCandidates) {
    // X is one substitution from both kA (at the last base) and kB (at its first base).
    const std::string a = "AAAACCCCGGGGTTTT", b = "CAAACCCCGGGGTTTA";
    const std::string x = "AAAACCCCGGGGTTTA";
    const Whitelist w({p(a), p(b)}, 16);
    std::string qual(16, 'F');
    // Equal quality: the far more abundant barcode wins.
    BarcodeCorrector abundant_a(w, {100000, 10});
    auto m = abundant_a.correct(x, qual);
    const auto index_a = *w.find(p(a));
    const auto index_b = *w.find(p(b));
    EXPECT_EQ(m.status, BarcodeStatus::Corrected);
    EXPECT_EQ(m.index, index_a);
    // Equal abundance and quality: too close to call.
    BarcodeCorrector even(w, {100, 100});
    EXPECT_EQ(even.correct(x, qual).status, BarcodeStatus::Rejected);
    // Equal abundance but the first base was a poor call: kB is the likely truth.
    qual[0] = '#';
    m = even.correct(x, qual);
    EXPECT_EQ(m.status, BarcodeStatus::Corrected);
    EXPECT_EQ(m.index, index_b);
}

TEST(InferWhitelist, KeepsAbundantBarcodesAndDropsTheirErrorVariants) {
    const auto w = infer_whitelist({{p(kA), 5000}, {p(kB), 40}, {p(kC), 300}, {p("GGGGGGGGAAAAAAAA"), 3}}, 16);
    EXPECT_EQ(w.size(), 2U);
    EXPECT_TRUE(w.find(p(kA)));
    EXPECT_TRUE(w.find(p(kC)));
    EXPECT_FALSE(w.find(p(kB)));  // 1 substitution from a barcode with 125x its reads
}
