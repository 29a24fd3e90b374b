#include "kupffer/quant/tenx_output.hpp"

#include "kupffer/core/errors.hpp"
#include "kupffer/core/matrix_market.hpp"
#include "kupffer/core/output_file.hpp"

namespace kupffer::quant {

void write_10x_mtx(const std::filesystem::path& folder, const CountMatrix& matrix, const std::vector<std::string>& gene_ids,
                   const std::vector<std::string>& gene_names, const std::vector<std::string>& barcodes) {
    if (gene_ids.size() != matrix.n_rows || gene_names.size() != matrix.n_rows || barcodes.size() != matrix.n_cols)
        throw Error("internal: matrix dimensions do not match its features and barcodes");
    std::filesystem::create_directories(folder);
    write_matrix_market(folder / "matrix.mtx.gz", matrix);
    std::string features, bcs;
    for (std::size_t g = 0; g < gene_ids.size(); ++g) features += gene_ids[g] + "\t" + gene_names[g] + "\tGene Expression\n";
    for (const auto& b : barcodes) bcs += b + "-1\n";
    write_text_file(folder / "features.tsv.gz", features);
    write_text_file(folder / "barcodes.tsv.gz", bcs);
}

CountMatrix select_columns(const CountMatrix& m, const std::vector<bool>& keep) {
    std::vector<std::uint32_t> columns;
    for (std::uint32_t c = 0; c < m.n_cols; ++c)
        if (keep[c]) columns.push_back(c);
    return kupffer::select_columns(m, columns);
}

}  // namespace kupffer::quant
