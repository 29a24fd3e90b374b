// The YAML workflow descriptor: parsed and validated against the schema from text (paths resolve
// against a folder that does not exist, so file checks fail cleanly).
#include <string>

#include "kupffer/core/errors.hpp"
#include "kupffer/pipeline/descriptor.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        (void)kupffer::pipeline::parse_descriptor(std::string(reinterpret_cast<const char*>(data), size), "fuzz.yaml",
                                                  "/nonexistent/kupffer-fuzz");
    } catch (const kupffer::Error&) {
    }
    return 0;
}
