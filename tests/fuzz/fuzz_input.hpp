#pragma once
// libFuzzer helpers: the parsers take paths, so each input is written to a per-process file with
// the suffix the parser expects, parsed, and removed. kupffer's own errors (InputError, IoError,
// OptionError: a clear message about bad input) are the expected outcome for most inputs; any
// other exception, a crash or a sanitizer report is a bug libFuzzer stops on.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "kupffer/core/errors.hpp"

namespace kupffer::fuzz {

template <class Parse>
int parse_file(const std::uint8_t* data, std::size_t size, const std::string& suffix, Parse parse) {
    const auto path = std::filesystem::temp_directory_path() / ("kupffer_fuzz_" + std::to_string(::getpid()) + suffix);
    if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
        if (size > 0) std::fwrite(data, 1, size, f);
        std::fclose(f);
    } else {
        return 0;
    }
    try {
        parse(path);
    } catch (const kupffer::Error&) {
        // a clear error about bad input: what kupffer should do
    }
    std::filesystem::remove(path);
    return 0;
}

}  // namespace kupffer::fuzz
