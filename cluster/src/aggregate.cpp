#include "kupffer/cluster/aggregate.hpp"

#include <algorithm>
#include <set>
#include <string_view>
#include <unordered_map>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/matrix_market.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/core/text_reader.hpp"

namespace kupffer::cluster {

namespace fs = std::filesystem;

std::size_t Samplesheet::column(const std::string& name) const {
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (columns[i] == name) return i;
    throw OptionError("the samplesheet has no column '" + name + "'");
}

Samplesheet read_samplesheet(const fs::path& path) {
    TextReader reader(path);
    Samplesheet sheet;
    std::string line;
    if (!reader.next_line(line)) throw InputError(path.string(), 1, "empty samplesheet");
    if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a UTF-8 byte-order mark (Excel's CSV)
    if (!line.empty() && line.back() == '\r') line.pop_back();
    for (auto f : split(line, ',')) sheet.columns.emplace_back(f);
    for (const char* required : {"sample", "group", "timepoint", "animal"})
        if (std::find(sheet.columns.begin(), sheet.columns.end(), required) == sheet.columns.end())
            throw InputError(path.string(), 1, std::string("the header lacks the required column '") + required +
                                                   "' (needs sample,group,timepoint,animal)");
    const std::size_t sample_col = sheet.column("sample");
    std::set<std::string> seen;
    while (reader.next_line(line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();  // Windows line endings
        if (line.empty()) continue;
        std::vector<std::string> row;
        for (auto f : split(line, ',')) row.emplace_back(f);
        if (row.size() != sheet.columns.size())
            throw InputError(path.string(), reader.line_number(),
                             std::to_string(row.size()) + " fields; the header has " + std::to_string(sheet.columns.size()));
        const std::string& name = row[sample_col];
        if (auto problem = sample_name_problem(name)) throw InputError(path.string(), reader.line_number(), *problem);
        for (const char* required : {"group", "timepoint", "animal"})
            if (row[sheet.column(required)].empty())
                throw InputError(path.string(), reader.line_number(),
                                 "sample '" + name + "' has an empty " + required + " (every sample needs its group, timepoint and animal)");
        if (!seen.insert(name).second) throw InputError(path.string(), reader.line_number(), "sample '" + name + "' listed twice");
        sheet.rows.push_back(std::move(row));
    }
    if (sheet.rows.empty()) throw InputError(path.string(), 0, "no samples");
    return sheet;
}

namespace {
/// InputError naming the line of a value listed twice (a cell's barcode must be unique).
void check_distinct(const std::vector<std::string>& values, const fs::path& file) {
    std::unordered_map<std::string_view, std::size_t> first;
    for (std::size_t i = 0; i < values.size(); ++i) {
        auto [it, fresh] = first.try_emplace(values[i], i + 1);
        if (!fresh)
            throw InputError(file.string(), i + 1, "'" + values[i] + "' listed twice (first on line " + std::to_string(it->second) + ")");
    }
}
}  // namespace

std::vector<std::string> Dataset::metadata_of(const std::string& column) const {
    for (std::size_t i = 0; i < metadata_columns.size(); ++i)
        if (metadata_columns[i] == column) return metadata[i];
    throw OptionError("no cell metadata column '" + column + "'");
}

Dataset aggregate(const Samplesheet& sheet, const AggregateOptions& options) {
    Dataset d;
    for (const auto& row : sheet.rows) d.sample_names.push_back(row[sheet.column("sample")]);
    d.metadata_columns = sheet.columns;
    d.metadata.resize(sheet.columns.size());
    const std::size_t sample_col = sheet.column("sample");
    std::vector<Triplet> triplets;
    std::uint32_t n_cells = 0;
    for (std::uint32_t s = 0; s < sheet.rows.size(); ++s) {
        const std::string& name = sheet.rows[s][sample_col];
        const fs::path dir = options.samples_dir / name / options.matrix;
        if (!fs::exists(dir / "matrix.mtx.gz") && !fs::exists(dir / "matrix.mtx"))
            throw InputError(dir.string(), 0, "no matrix.mtx(.gz) for sample '" + name + "'");
        auto pick = [&](const char* base) { return fs::exists(dir / (std::string(base) + ".gz")) ? dir / (std::string(base) + ".gz") : dir / base; };
        const CountMatrix m = read_matrix_market(pick("matrix.mtx"));
        const auto features = read_lines(pick("features.tsv"));
        const auto barcodes = read_lines(pick("barcodes.tsv"));
        if (features.size() != m.n_rows)
            throw InputError(pick("features.tsv").string(), 0, std::to_string(features.size()) + " features, but " +
                                                                   pick("matrix.mtx").filename().string() + " has " + std::to_string(m.n_rows) + " rows");
        if (barcodes.size() != m.n_cols)
            throw InputError(pick("barcodes.tsv").string(), 0, std::to_string(barcodes.size()) + " barcodes, but " +
                                                                   pick("matrix.mtx").filename().string() + " has " + std::to_string(m.n_cols) + " columns");
        check_distinct(barcodes, pick("barcodes.tsv"));
        std::vector<std::string> ids, names;
        for (const auto& f : features) {
            const auto parts = split(f, '\t');
            ids.emplace_back(parts[0]);
            names.emplace_back(parts.size() > 1 ? parts[1] : parts[0]);
        }
        if (s == 0) {
            d.gene_ids = ids;
            d.gene_names = names;
        } else if (ids != d.gene_ids) {
            throw InputError(dir.string(), 0, "sample '" + name + "' has different features from '" + sheet.rows[0][sample_col] +
                                                  "' (same reference needed)");
        }
        for (std::uint32_t c = 0; c < m.n_cols; ++c) {
            auto rows = m.column_rows(c);
            auto vals = m.column_values(c);
            for (std::size_t k = 0; k < rows.size(); ++k) triplets.push_back({rows[k], n_cells + c, vals[k]});
            d.cells.push_back(name + "_" + barcodes[c]);
            d.sample_of_cell.push_back(s);
            for (std::size_t col = 0; col < sheet.columns.size(); ++col) d.metadata[col].push_back(sheet.rows[s][col]);
        }
        n_cells += m.n_cols;
    }
    d.counts = count_matrix_from_triplets(static_cast<std::uint32_t>(d.gene_ids.size()), n_cells, std::move(triplets));
    return d;
}

}  // namespace kupffer::cluster
