#include "kupffer/core/dna.hpp"

#include <gtest/gtest.h>

using namespace kupffer::dna;

TEST(Dna, PackUnpackRoundTrip) {
    const std::string seq = "ACGTTGCAAACCGGTT";
    const auto packed = pack(seq);
    ASSERT_TRUE(packed);
    EXPECT_EQ(unpack(*packed, seq.size()), seq);
    EXPECT_EQ(*pack("A"), 0U);
    EXPECT_EQ(*pack("T"), 3U);
    EXPECT_EQ(*pack("CA"), 4U);
}

TEST(Dna, PackedValuesSortLikeStrings) {
    EXPECT_LT(*pack("AACG"), *pack("AAGC"));
    EXPECT_LT(*pack("CTTT"), *pack("GAAA"));
}

TEST(Dna, PackRejectsNonAcgtAndLongSequences) {
    EXPECT_FALSE(pack("ACGN"));
    EXPECT_FALSE(pack("ACG-"));
    EXPECT_FALSE(pack(std::string(33, 'A')));
    EXPECT_TRUE(pack(std::string(32, 'T')));
    EXPECT_TRUE(pack("acgt"));
}

TEST(Dna, ReverseComplement) {
    EXPECT_EQ(reverse_complement("AACGTN"), "NACGTT");
    const std::string seq = "GATTACAGATTACA";
    EXPECT_EQ(unpack(reverse_complement(*pack(seq), seq.size()), seq.size()), reverse_complement(seq));
}

TEST(Dna, Hamming) {
    EXPECT_EQ(hamming(*pack("ACGTACGT"), *pack("ACGTACGT")), 0);
    EXPECT_EQ(hamming(*pack("ACGTACGT"), *pack("TCGTACGA")), 2);
    // A<->T differs in both bits of a base but counts once.
    EXPECT_EQ(hamming(*pack("A"), *pack("T")), 1);
}
