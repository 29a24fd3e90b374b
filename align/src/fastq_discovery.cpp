#include "kupffer/align/fastq_discovery.hpp"

#include <algorithm>
#include <map>
#include <regex>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"

namespace kupffer::align {

namespace fs = std::filesystem;

FastqName parse_fastq_name(const std::string& filename) {
    // The sample part is greedy from the left; S<n>, L<lane> and the read are anchored at the right.
    static const std::regex pattern(R"(^(.+)_S(\d+)(?:_L(\d{3}))?_(R1|R2|I1|I2)_001\.f(?:ast)?q(?:\.gz)?$)");
    std::smatch m;
    FastqName out;
    if (!std::regex_match(filename, m, pattern)) return out;
    out.valid = true;
    out.sample = m[1];
    out.number = static_cast<std::uint32_t>(std::stoul(m[2]));
    out.lane = m[3].matched ? static_cast<std::uint32_t>(std::stoul(m[3])) : 0;
    out.read = m[4];
    return out;
}

std::vector<SampleFastqs> discover_fastqs(const fs::path& folder, const std::vector<std::string>& only) {
    if (!fs::is_directory(folder)) throw OptionError(folder.string() + ": not a folder of FASTQ files");
    std::map<std::string, SampleFastqs> samples;
    std::map<std::pair<std::string, std::uint32_t>, LaneFiles> lanes;
    std::map<std::string, fs::path> seen;
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(folder, fs::directory_options::follow_directory_symlink))
        if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
        const auto name = parse_fastq_name(path.filename().string());
        if (!name.valid) continue;
        if (auto it = seen.find(path.filename().string()); it != seen.end())
            throw InputError(path.string(), 0, "the same FASTQ name also appears as " + it->second.string());
        seen[path.filename().string()] = path;
        if (auto problem = sample_name_problem(name.sample)) throw InputError(path.string(), 0, *problem);
        auto& sample = samples[name.sample];
        sample.name = name.sample;
        sample.number = name.number;
        auto& lane = lanes[{name.sample, name.lane}];
        lane.lane = name.lane;
        (name.read == "R1" ? lane.r1 : name.read == "R2" ? lane.r2 : name.read == "I1" ? lane.i1 : lane.i2) = path;
    }
    if (samples.empty()) throw OptionError(folder.string() + ": no FASTQ files named <sample>_S<n>_L<lane>_R<1|2>_001.fastq.gz");
    for (auto& [key, lane] : lanes) {
        const auto& any = !lane.r1.empty() ? lane.r1 : !lane.r2.empty() ? lane.r2 : !lane.i1.empty() ? lane.i1 : lane.i2;
        if (lane.r1.empty()) throw InputError(any.string(), 0, "no matching R1 file for this lane");
        if (lane.r2.empty()) throw InputError(any.string(), 0, "no matching R2 file for this lane");
        samples[key.first].lanes.push_back(lane);
    }
    std::vector<SampleFastqs> out;
    if (only.empty()) {
        for (auto& [name, s] : samples) out.push_back(std::move(s));
    } else {
        for (const auto& want : only) {
            auto it = samples.find(want);
            if (it == samples.end()) throw OptionError("sample '" + want + "' has no FASTQ files in " + folder.string());
            out.push_back(it->second);
        }
    }
    return out;
}

SampleFastqs sample_from_files(const std::string& name, const std::vector<fs::path>& r1, const std::vector<fs::path>& r2) {
    if (r1.size() != r2.size())
        throw OptionError("sample '" + name + "': " + std::to_string(r1.size()) + " R1 files but " +
                          std::to_string(r2.size()) + " R2 files");
    if (r1.empty()) throw OptionError("sample '" + name + "': no FASTQ files given");
    if (auto problem = sample_name_problem(name)) throw OptionError("sample '" + name + "': " + *problem);
    SampleFastqs s;
    s.name = name;
    for (std::size_t i = 0; i < r1.size(); ++i) {
        for (const auto& p : {r1[i], r2[i]})
            if (!fs::exists(p)) throw OptionError(p.string() + ": no such FASTQ file");
        // The same file as both reads (a copy-paste slip in a samplesheet) maps nothing and used
        // to finish "successfully" with 0 records.
        if (fs::equivalent(r1[i], r2[i]))
            throw OptionError("sample '" + name + "': " + r1[i].string() + " is given as both R1 and R2" +
                              (r1[i] == r2[i] ? "" : " (as " + r2[i].string() + ")") + "; R2 is the cDNA read");
        s.lanes.push_back({static_cast<std::uint32_t>(i + 1), r1[i], r2[i], {}, {}});
    }
    return s;
}

}  // namespace kupffer::align
