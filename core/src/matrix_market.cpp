#include "kupffer/core/matrix_market.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <cmath>
#include <string>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/core/text_reader.hpp"

namespace kupffer {

namespace fs = std::filesystem;

void write_matrix_market(const fs::path& path, const CountMatrix& matrix) {
    std::string text = "%%MatrixMarket matrix coordinate integer general\n%metadata_json: {\"software_version\": \"kupffer\"}\n";
    text += std::to_string(matrix.n_rows) + " " + std::to_string(matrix.n_cols) + " " + std::to_string(matrix.nnz()) + "\n";
    const bool gz = path.extension() == ".gz";
    std::unique_ptr<GzipWriter> gz_out;
    std::unique_ptr<AtomicFile> plain_out;
    if (gz) gz_out = std::make_unique<GzipWriter>(path);
    else plain_out = std::make_unique<AtomicFile>(path);
    auto flush = [&](bool force) {
        if (!force && text.size() < (1 << 20)) return;
        if (gz) gz_out->write(text);
        else plain_out->write(text);
        text.clear();
    };
    char number[16];
    for (std::uint32_t c = 0; c < matrix.n_cols; ++c) {
        auto rows = matrix.column_rows(c);
        auto vals = matrix.column_values(c);
        for (std::size_t i = 0; i < rows.size(); ++i) {
            for (std::uint64_t v : {std::uint64_t{rows[i]} + 1, std::uint64_t{c} + 1, std::uint64_t{vals[i]}}) {
                auto res = std::to_chars(number, number + sizeof number, v);
                text.append(number, res.ptr);
                text.push_back(' ');
            }
            text.back() = '\n';
        }
        flush(false);
    }
    flush(true);
    if (gz) gz_out->commit();
    else plain_out->commit();
}

namespace {
template <class T>
T parse_number(std::string_view field, const TextReader& reader, const char* what) {
    T value{};
    auto res = std::from_chars(field.data(), field.data() + field.size(), value);
    if (res.ec == std::errc::result_out_of_range)
        throw InputError(reader.path().string(), reader.line_number(),
                         std::string("expected ") + what + ", found '" + std::string(field) + "', out of range (at most " +
                             std::to_string(std::numeric_limits<T>::max()) + ")");
    if (res.ec != std::errc() || res.ptr != field.data() + field.size())
        throw InputError(reader.path().string(), reader.line_number(),
                         std::string("expected ") + what + ", found '" + std::string(field) + "'");
    return value;
}

std::vector<std::string_view> fields_of(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}
/// A matrix entry given twice is an error (summing or keeping one would both be guesses).
void check_no_duplicates(const std::vector<Triplet>& triplets, const fs::path& path) {
    std::vector<std::uint64_t> keys;
    keys.reserve(triplets.size());
    for (const auto& t : triplets) keys.push_back((std::uint64_t{t.col} << 32) | t.row);
    std::sort(keys.begin(), keys.end());
    const auto twin = std::adjacent_find(keys.begin(), keys.end());
    if (twin != keys.end())
        throw InputError(path.string(), 0, "row " + std::to_string((*twin & 0xffffffffu) + 1) + ", column " +
                                               std::to_string((*twin >> 32) + 1) + " listed twice");
}
}  // namespace

CountMatrix read_matrix_market(const fs::path& path) {
    TextReader reader(path);
    std::string line;
    if (!reader.next_line(line) || line.rfind("%%MatrixMarket", 0) != 0)
        throw InputError(path.string(), 1, "not a MatrixMarket file (missing %%MatrixMarket header)");
    if (line.find("coordinate") == std::string::npos)
        throw InputError(path.string(), 1, "only coordinate MatrixMarket files are supported");
    const bool real = line.find("real") != std::string::npos;
    while (reader.next_line(line) && (line.empty() || line[0] == '%')) {
    }
    auto dims = fields_of(line);
    if (dims.size() != 3) throw InputError(path.string(), reader.line_number(), "expected 'rows columns entries'");
    const auto n_rows = parse_number<std::uint32_t>(dims[0], reader, "a row count");
    const auto n_cols = parse_number<std::uint32_t>(dims[1], reader, "a column count");
    const auto n_entries = parse_number<std::uint64_t>(dims[2], reader, "an entry count");
    std::vector<Triplet> triplets;
    triplets.reserve(n_entries);
    // Entries are usually in column-major order (10x, kupffer, scanpy), where a duplicate follows
    // its twin and is named with its line; otherwise duplicates are looked for after reading.
    std::uint64_t last_key = 0;
    bool ordered = true;
    while (reader.next_line(line)) {
        if (line.empty() || line[0] == '%') continue;
        auto f = fields_of(line);
        if (f.size() != 3) throw InputError(path.string(), reader.line_number(), "expected 'row column value'");
        const auto r = parse_number<std::uint32_t>(f[0], reader, "a row index");
        const auto c = parse_number<std::uint32_t>(f[1], reader, "a column index");
        std::uint32_t v;
        if (real) {
            const double d = parse_number<double>(f[2], reader, "a value");
            if (d < 0 || d != std::floor(d))
                throw InputError(path.string(), reader.line_number(), "expected a non-negative integer count");
            v = static_cast<std::uint32_t>(d);
        } else {
            v = parse_number<std::uint32_t>(f[2], reader, "a non-negative integer count");
        }
        if (r == 0 || r > n_rows || c == 0 || c > n_cols)
            throw InputError(path.string(), reader.line_number(), "entry outside the declared dimensions");
        const std::uint64_t key = (std::uint64_t{c} << 32) | r;
        if (key == last_key)
            throw InputError(path.string(), reader.line_number(), "row " + std::to_string(r) + ", column " + std::to_string(c) + " listed twice");
        ordered &= key > last_key;
        last_key = key;
        triplets.push_back({r - 1, c - 1, v});
    }
    if (!ordered) check_no_duplicates(triplets, path);
    if (triplets.size() != n_entries)
        throw InputError(path.string(), reader.line_number(),
                         "header declares " + std::to_string(n_entries) + " entries but the file holds " +
                             std::to_string(triplets.size()));
    return count_matrix_from_triplets(n_rows, n_cols, std::move(triplets));
}

}  // namespace kupffer
