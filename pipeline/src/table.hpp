#pragma once
// Readers of kupffer's own small outputs: a tab-separated table (plain or gzip) read whole, with
// rows of strings looked up by column name; and a JSON file.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kupffer::pipeline::internal {

struct Table {
    std::filesystem::path path;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    /// Index of a column; InputError naming the file if it is absent.
    std::size_t column(const std::string& name) const;
    bool has(const std::string& name) const;
};

/// Reads a TSV; InputError naming file and line for a row of the wrong width.
Table read_table(const std::filesystem::path& path);

/// A JSON file, or null when it is absent; when it is not valid JSON: InputError naming it if
/// `strict`, else null (a file only shown, never relied on).
nlohmann::json read_json(const std::filesystem::path& path, bool strict);

}  // namespace kupffer::pipeline::internal
