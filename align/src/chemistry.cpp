#include "kupffer/align/chemistry.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/text_reader.hpp"

namespace kupffer::align {

std::uint32_t Chemistry::min_read_length(int read) const noexcept {
    std::uint32_t needed = 0;
    for (const ReadSegment* s : {&barcode, &umi, &cdna, mate_cdna ? &*mate_cdna : nullptr})
        if (s && s->read == read) needed = std::max(needed, s->offset + std::max<std::uint32_t>(s->length, 1));
    return needed;
}

const std::vector<Chemistry>& chemistry_presets() {
    static const std::vector<Chemistry> presets = {
        {"10xv2", "10x Chromium Single Cell 3' v2", {0, 0, 16}, {0, 16, 10}, {1, 0, 0}, Strand::Sense,
         "737K-august-2016", std::nullopt},
        {"10xv3", "10x Chromium Single Cell 3' v3/v3.1", {0, 0, 16}, {0, 16, 12}, {1, 0, 0}, Strand::Sense,
         "3M-february-2018", std::nullopt},
        {"10xv4", "10x Chromium GEM-X Single Cell 3' v4", {0, 0, 16}, {0, 16, 12}, {1, 0, 0}, Strand::Sense,
         "3M-3pgex-may-2023", std::nullopt},
        {"10x5p", "10x Chromium Single Cell 5' (R2 only)", {0, 0, 16}, {0, 16, 10}, {1, 0, 0}, Strand::Antisense,
         "737K-august-2016", std::nullopt},
        {"10x5pe", "10x Chromium Single Cell 5' paired-end (R1 cDNA after the TSO, R2)", {0, 0, 16}, {0, 16, 10}, {1, 0, 0},
         Strand::Antisense, "737K-august-2016", ReadSegment{0, 39, 0}},
    };
    return presets;
}

const Chemistry& chemistry_preset(std::string_view name) {
    std::string key(name);
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    if (key == "10xv3.1") key = "10xv3";
    for (const auto& c : chemistry_presets())
        if (c.name == key) return c;
    std::string known;
    for (const auto& c : chemistry_presets()) known += (known.empty() ? "" : ", ") + c.name;
    throw OptionError("unknown chemistry '" + std::string(name) + "' (known: " + known + ")");
}

Chemistry parse_geometry(std::string_view spec, Strand strand) {
    const auto parts = split(spec, ':');
    if (parts.size() != 3)
        throw OptionError("geometry '" + std::string(spec) + "' must have three parts bc:umi:seq");
    ReadSegment segments[3];
    for (std::size_t p = 0; p < 3; ++p) {
        const auto numbers = split(parts[p], ',');
        if (numbers.size() != 3)
            throw OptionError("geometry '" + std::string(spec) + "': part '" + std::string(parts[p]) +
                              "' must be read,start,stop");
        std::uint32_t v[3];
        for (std::size_t i = 0; i < 3; ++i) {
            auto res = std::from_chars(numbers[i].data(), numbers[i].data() + numbers[i].size(), v[i]);
            if (res.ec != std::errc() || res.ptr != numbers[i].data() + numbers[i].size())
                throw OptionError("geometry '" + std::string(spec) + "': '" + std::string(numbers[i]) +
                                  "' is not a non-negative number");
        }
        if (v[0] > 1) throw OptionError("geometry '" + std::string(spec) + "': read must be 0 (R1) or 1 (R2)");
        if (v[2] != 0 && v[2] <= v[1])
            throw OptionError("geometry '" + std::string(spec) + "': stop must exceed start in '" +
                              std::string(parts[p]) + "'");
        segments[p] = {static_cast<int>(v[0]), v[1], v[2] == 0 ? 0 : v[2] - v[1]};
    }
    if (segments[0].length == 0 || segments[1].length == 0)
        throw OptionError("geometry '" + std::string(spec) + "': barcode and UMI need a fixed stop");
    if (segments[0].length > 32 || segments[1].length > 32)
        throw OptionError("geometry '" + std::string(spec) + "': barcode and UMI may be at most 32 bases");
    return {"custom", "custom geometry " + std::string(spec), segments[0], segments[1], segments[2], strand, "", std::nullopt};
}

}  // namespace kupffer::align
