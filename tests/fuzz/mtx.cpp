#include "fuzz_input.hpp"
#include "kupffer/core/matrix_market.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return kupffer::fuzz::parse_file(data, size, ".mtx", [](const std::filesystem::path& p) { (void)kupffer::read_matrix_market(p); });
}
