#include "fuzz_input.hpp"
#include "kupffer/cluster/aggregate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return kupffer::fuzz::parse_file(data, size, ".csv", [](const std::filesystem::path& p) { (void)kupffer::cluster::read_samplesheet(p); });
}
