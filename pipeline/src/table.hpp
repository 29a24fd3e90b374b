#pragma once
// A small tab-separated table (plain or gzip) read whole, for the report: a header and rows of
// strings, looked up by column name.
#include <filesystem>
#include <string>
#include <vector>

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

}  // namespace kupffer::pipeline::internal
