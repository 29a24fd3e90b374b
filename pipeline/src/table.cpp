#include "table.hpp"

#include <algorithm>
#include <fstream>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/text_reader.hpp"

namespace kupffer::pipeline::internal {

std::size_t Table::column(const std::string& name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) throw InputError(path.string(), 1, "no column '" + name + "'");
    return static_cast<std::size_t>(it - header.begin());
}

bool Table::has(const std::string& name) const { return std::find(header.begin(), header.end(), name) != header.end(); }

Table read_table(const std::filesystem::path& path) {
    Table t;
    t.path = path;
    TextReader reader(path);
    std::string line;
    if (!reader.next_line(line)) throw InputError(path.string(), 1, "empty table (no header)");
    for (auto f : split(line, '\t')) t.header.emplace_back(f);
    while (reader.next_line(line)) {
        if (line.empty()) continue;
        std::vector<std::string> row;
        for (auto f : split(line, '\t')) row.emplace_back(f);
        if (row.size() != t.header.size())
            throw InputError(path.string(), reader.line_number(),
                             std::to_string(row.size()) + " fields; the header has " + std::to_string(t.header.size()));
        t.rows.push_back(std::move(row));
    }
    return t;
}

nlohmann::json read_json(const std::filesystem::path& path, bool strict) {
    std::ifstream in(path);
    if (!in) return nullptr;
    auto json = nlohmann::json::parse(in, nullptr, false);
    if (!json.is_discarded()) return json;
    if (strict) throw InputError(path.string(), 0, "not valid JSON");
    return nullptr;
}

}  // namespace kupffer::pipeline::internal
