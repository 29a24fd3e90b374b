#include "run_samplesheet.hpp"

#include <algorithm>
#include <set>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/core/text_reader.hpp"

namespace kupffer::pipeline::internal {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> fields_of(std::string line) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> out;
    for (auto f : split(line, ',')) out.emplace_back(f);
    return out;
}

/// "a_L001_R1_001.fastq.gz" pairs with "a_L001_R2_001.fastq.gz": the names differ only in R1/R2
/// (or _1/_2). Names with neither marker are not judged.
bool names_pair(const std::string& r1, const std::string& r2) {
    for (auto [one, two] : {std::pair{"R1", "R2"}, {"_1.", "_2."}}) {
        const auto at = r1.rfind(one);
        if (at == std::string::npos) continue;
        std::string expected = r1;
        expected.replace(at, std::string(one).size(), two);
        return expected == r2;
    }
    return true;
}

struct Header {
    std::vector<std::string> columns;
    std::size_t sample = 0, fastq_1 = std::string::npos, fastq_2 = std::string::npos;
};

bool read_header(TextReader& reader, const std::string& file, Header& h, std::vector<Problem>& problems) {
    std::string line;
    if (!reader.next_line(line)) {
        problems.push_back({file, 1, 0, "empty samplesheet (needs a header sample,group,timepoint,animal)"});
        return false;
    }
    if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 byte-order mark
    h.columns = fields_of(line);
    auto find = [&](const std::string& name) {
        const auto it = std::find(h.columns.begin(), h.columns.end(), name);
        return it == h.columns.end() ? std::string::npos : static_cast<std::size_t>(it - h.columns.begin());
    };
    bool ok = true;
    for (const char* required : {"sample", "group", "timepoint", "animal"})
        if (find(required) == std::string::npos) {
            problems.push_back({file, 1, 0, std::string("the header lacks the column '") + required + "' (needs sample,group,timepoint,animal)"});
            ok = false;
        }
    h.sample = find("sample");
    h.fastq_1 = find("fastq_1");
    h.fastq_2 = find("fastq_2");
    if ((h.fastq_1 == std::string::npos) != (h.fastq_2 == std::string::npos)) {
        problems.push_back({file, 1, 0, "fastq_1 and fastq_2 go together: the header has only one of them"});
        ok = false;
    }
    return ok;
}

/// The lane's files from a row, checked; false if unusable.
bool lane_from_row(const std::vector<std::string>& row, const Header& h, const fs::path& base, const std::string& file,
                   std::size_t line, align::LaneFiles& lane, std::vector<Problem>& problems) {
    const auto before = problems.size();
    auto resolve = [&](const std::string& text, const char* column) {
        if (text.empty()) problems.push_back({file, line, 0, std::string(column) + " is empty"});
        fs::path p(text);
        if (p.is_relative()) p = base / p;
        if (!text.empty() && !fs::is_regular_file(p)) problems.push_back({file, line, 0, std::string(column) + " " + p.string() + ": no such file"});
        return p.lexically_normal();
    };
    lane.r1 = resolve(row[h.fastq_1], "fastq_1");
    lane.r2 = resolve(row[h.fastq_2], "fastq_2");
    if (problems.size() != before) return false;
    if (lane.r1 == lane.r2) {
        problems.push_back({file, line, 0, "fastq_1 and fastq_2 are the same file " + lane.r1.string()});
        return false;
    }
    if (!names_pair(lane.r1.filename().string(), lane.r2.filename().string())) {
        problems.push_back({file, line, 0, "fastq_1 " + lane.r1.filename().string() + " and fastq_2 " + lane.r2.filename().string() +
                                               " do not pair (their names should differ only in R1/R2)"});
        return false;
    }
    return true;
}

}  // namespace

RunSamplesheet read_run_samplesheet(const fs::path& path, std::vector<Problem>& problems) {
    RunSamplesheet out;
    const std::string file = path.string();
    TextReader reader(path);
    Header h;
    if (!read_header(reader, file, h, problems)) return out;
    std::vector<std::size_t> keep;  // metadata columns: all but fastq_1/fastq_2
    for (std::size_t c = 0; c < h.columns.size(); ++c)
        if (c != h.fastq_1 && c != h.fastq_2) keep.push_back(c), out.sheet.columns.push_back(h.columns[c]);
    const bool with_fastqs = h.fastq_1 != std::string::npos;
    std::map<std::string, std::size_t> row_of;
    std::set<fs::path> files_seen;
    std::string line;
    while (reader.next_line(line)) {
        const auto n = static_cast<std::size_t>(reader.line_number());
        if (line.empty() || line == "\r") continue;
        const auto row = fields_of(line);
        if (row.size() != h.columns.size()) {
            problems.push_back({file, n, 0, std::to_string(row.size()) + " fields; the header has " + std::to_string(h.columns.size())});
            continue;
        }
        const auto& name = row[h.sample];
        if (auto problem = sample_name_problem(name)) {
            problems.push_back({file, n, 0, "sample '" + name + "': " + *problem});
            continue;
        }
        std::vector<std::string> meta;
        for (auto c : keep) meta.push_back(row[c]);
        for (const char* column : {"group", "timepoint", "animal"})
            if (row[static_cast<std::size_t>(std::find(h.columns.begin(), h.columns.end(), column) - h.columns.begin())].empty())
                problems.push_back({file, n, 0, "sample '" + name + "' has an empty " + column + " (the analysis needs every sample's group, timepoint and animal)"});
        const auto [it, fresh] = row_of.emplace(name, out.sheet.rows.size());
        if (fresh) {
            out.sheet.rows.push_back(meta);
            out.line_of[name] = n;
        } else if (!with_fastqs) {
            problems.push_back({file, n, 0, "sample '" + name + "' is listed twice (line " + std::to_string(out.line_of[name]) + ")"});
            continue;
        } else if (out.sheet.rows[it->second] != meta) {
            problems.push_back({file, n, 0, "sample '" + name + "': this lane's group, timepoint, animal or other columns differ from line " +
                                                std::to_string(out.line_of[name])});
        }
        align::LaneFiles lane;
        if (with_fastqs && lane_from_row(row, h, path.parent_path(), file, n, lane, problems)) {
            for (const auto& f : {lane.r1, lane.r2})
                if (!files_seen.insert(f).second) problems.push_back({file, n, 0, f.string() + " is listed twice"});
            lane.lane = static_cast<std::uint32_t>(out.lanes[name].size() + 1);
            out.lanes[name].push_back(lane);
        }
    }
    if (out.sheet.rows.empty() && problems.empty()) problems.push_back({file, 0, 0, "no samples"});
    return out;
}

std::map<std::string, align::SampleFastqs> discover_run_folders(const std::vector<fs::path>& folders, std::vector<Problem>& problems) {
    std::map<std::string, align::SampleFastqs> merged;
    for (const auto& folder : folders) {
        try {
            for (auto& s : align::discover_fastqs(folder)) {
                auto& into = merged[s.name];
                into.name = s.name;
                into.number = s.number;
                into.lanes.insert(into.lanes.end(), s.lanes.begin(), s.lanes.end());
            }
        } catch (const InputError& e) {
            problems.push_back({e.file(), e.line(), 0, e.message()});
        } catch (const Error& e) {
            problems.push_back({folder.string(), 0, 0, e.what()});
        }
    }
    return merged;
}

}  // namespace kupffer::pipeline::internal
