#include "kupffer/core/text_reader.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"
#include "test_dir.hpp"

using namespace kupffer;
using kupffer::test::TempDir;

TEST(TextReader, ReadsPlainTextWithCrLfAndNoFinalNewline) {
    TempDir dir;
    std::ofstream(dir / "a.txt") << "one\r\ntwo\n\nlast";
    TextReader reader(dir / "a.txt");
    std::string line;
    std::vector<std::string> lines;
    while (reader.next_line(line)) lines.push_back(line);
    EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "", "last"}));
    EXPECT_EQ(reader.line_number(), 4U);
}

TEST(TextReader, ReadsLinesLongerThanItsBuffer) {
    TempDir dir;
    const std::string longline(1'000'000, 'x');
    write_text_file(dir / "long.txt.gz", longline + "\nshort\n");
    EXPECT_EQ(read_lines(dir / "long.txt.gz"), (std::vector<std::string>{longline, "short"}));
}

TEST(TextReader, TruncatedGzipIsAnInputErrorNamingTheFile) {
    TempDir dir;
    std::string text;
    for (int i = 0; i < 200'000; ++i) text += "record " + std::to_string(i) + "\n";
    const std::string z = gzip_compress(text);
    std::ofstream(dir / "cut.txt.gz", std::ios::binary).write(z.data(), static_cast<std::streamsize>(z.size() / 2));
    try {
        read_lines(dir / "cut.txt.gz");
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("cut.txt.gz"), std::string::npos) << e.what();
        EXPECT_GT(e.line(), 0U);
    }
}

TEST(TextReader, MissingFileIsAnIoError) { EXPECT_THROW(TextReader("/no/such/file.txt"), IoError); }

TEST(Split, KeepsEmptyFields) {
    EXPECT_EQ(split("a,,b,", ','), (std::vector<std::string_view>{"a", "", "b", ""}));
}
