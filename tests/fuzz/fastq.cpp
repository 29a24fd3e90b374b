// FASTQ reader (plain, gzip, BGZF: DecompressedInput picks by magic bytes) and the chemistry
// geometry parser fed the first line.
#include <string_view>

#include "fuzz_input.hpp"
#include "kupffer/align/chemistry.hpp"
#include "kupffer/core/fastq_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        (void)kupffer::align::parse_geometry(text.substr(0, text.find('\n')));
    } catch (const kupffer::Error&) {
    }
    return kupffer::fuzz::parse_file(data, size, ".fastq", [](const std::filesystem::path& p) {
        kupffer::FastqReader reader(p);
        kupffer::FastqRecord r;
        while (reader.next(r)) {
        }
    });
}
