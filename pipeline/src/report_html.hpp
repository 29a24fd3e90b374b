#pragma once
// HTML pieces of the report: escaping, number formatting, tables and captioned figures.
#include <string>
#include <vector>

namespace kupffer::pipeline::internal {

std::string html_escape(const std::string& text);
/// printf-style formatting of one number ("%.3g", "%.1f%%" with the value x100 when percent).
std::string format(const char* spec, double value);
std::string percent(double fraction);  ///< "97.3%"
std::string count(double value);       ///< "12,345"

/// A table; cells are HTML already (escape text first). `highlight[r]` marks row r.
std::string html_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                       const std::vector<bool>& highlight = {});
/// An SVG (or any HTML) with a plain-language caption under it.
std::string figure(const std::string& content, const std::string& caption);
/// A headline number: value above, what it is below.
std::string card(const std::string& value, const std::string& label);

}  // namespace kupffer::pipeline::internal
