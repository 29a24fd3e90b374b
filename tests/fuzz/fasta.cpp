#include "fuzz_input.hpp"
#include "kupffer/align/reference_files.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return kupffer::fuzz::parse_file(data, size, ".fa", [](const std::filesystem::path& p) { (void)kupffer::align::read_fasta(p); });
}
