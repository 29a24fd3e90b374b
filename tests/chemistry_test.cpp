#include "kupffer/align/chemistry.hpp"

#include <gtest/gtest.h>

#include "kupffer/core/errors.hpp"

using namespace kupffer::align;

TEST(Chemistry, PresetsDescribeTenXGeometry) {
    const auto& v3 = chemistry_preset("10xv3");
    EXPECT_EQ(v3.barcode, (ReadSegment{0, 0, 16}));
    EXPECT_EQ(v3.umi, (ReadSegment{0, 16, 12}));
    EXPECT_EQ(v3.cdna, (ReadSegment{1, 0, 0}));
    EXPECT_EQ(v3.min_read_length(0), 28U);
    EXPECT_EQ(chemistry_preset("10xv2").min_read_length(0), 26U);
    EXPECT_EQ(chemistry_preset("10XV3.1").name, "10xv3");
    EXPECT_EQ(chemistry_preset("10x5p").strand, Strand::Antisense);
}

TEST(Chemistry, UnknownPresetListsTheKnownOnes) {
    try {
        chemistry_preset("dropseq");
        FAIL();
    } catch (const kupffer::OptionError& e) {
        EXPECT_NE(std::string(e.what()).find("10xv2"), std::string::npos);
    }
}

TEST(Chemistry, ParsesKallistoStyleGeometry) {
    const auto c = parse_geometry("0,0,16:0,16,28:1,0,0");
    EXPECT_EQ(c.barcode, chemistry_preset("10xv3").barcode);
    EXPECT_EQ(c.umi, chemistry_preset("10xv3").umi);
    EXPECT_EQ(c.cdna, chemistry_preset("10xv3").cdna);
}

TEST(Chemistry, RejectsMalformedGeometry) {
    for (const char* bad : {"0,0,16:0,16,28", "0,0,16:0,16:1,0,0", "0,0,16:0,x,28:1,0,0", "2,0,16:0,16,28:1,0,0",
                            "0,16,10:0,16,28:1,0,0", "0,0,0:0,16,28:1,0,0", "0,0,40:0,40,52:1,0,0"})
        EXPECT_THROW(parse_geometry(bad), kupffer::OptionError) << bad;
}
