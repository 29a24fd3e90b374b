#include "report_html.hpp"

#include <cmath>
#include <cstdio>

namespace kupffer::pipeline::internal {

std::string html_escape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '&': out += "&amp;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string format(const char* spec, double value) {
    if (std::isnan(value)) return "NA";
    char text[64];
    std::snprintf(text, sizeof text, spec, value);
    return text;
}

std::string percent(double fraction) { return format("%.1f%%", 100 * fraction); }

std::string count(double value) {
    if (std::isnan(value)) return "NA";
    std::string digits = format("%.0f", value), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out += ',';
        out += digits[i];
    }
    return out;
}

std::string html_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                       const std::vector<bool>& highlight) {
    std::string t = "<table><thead><tr>";
    for (const auto& h : header) t += "<th>" + html_escape(h) + "</th>";
    t += "</tr></thead><tbody>\n";
    for (std::size_t r = 0; r < rows.size(); ++r) {
        t += r < highlight.size() && highlight[r] ? "<tr class=\"hit\">" : "<tr>";
        for (const auto& cell : rows[r]) t += "<td>" + cell + "</td>";
        t += "</tr>\n";
    }
    return t + "</tbody></table>\n";
}

std::string figure(const std::string& content, const std::string& caption) {
    return "<figure>" + content + "<figcaption>" + caption + "</figcaption></figure>\n";
}

std::string card(const std::string& value, const std::string& label) {
    return "<div class=\"card\"><div class=\"value\">" + html_escape(value) + "</div><div class=\"label\">" + html_escape(label) + "</div></div>";
}

}  // namespace kupffer::pipeline::internal
