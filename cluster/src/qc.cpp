#include "kupffer/cluster/qc.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/statistics.hpp"

namespace kupffer::cluster {

const std::vector<std::string>& rhesus_mito_genes() {
    static const std::vector<std::string> genes = {"ND1", "ND2", "COX1", "COX2", "ATP8", "ATP6", "COX3",
                                                   "ND3", "ND4L", "ND4", "ND5", "ND6", "CYTB"};
    return genes;
}

namespace {
/// Median and scaled MAD (x 1.4826, consistent with a normal's SD), as scuttle's isOutlier.
std::pair<double, double> median_mad(const std::vector<double>& v) {
    const double m = median(v);
    std::vector<double> dev;
    dev.reserve(v.size());
    for (double x : v) dev.push_back(std::abs(x - m));
    return {m, 1.4826 * median(dev)};
}
}  // namespace

QcResults quality_control(const CountMatrix& counts, const std::vector<std::string>& gene_names,
                          const std::vector<std::uint32_t>& sample_of_cell, const QcOptions& options) {
    if (gene_names.size() != counts.n_rows || sample_of_cell.size() != counts.n_cols)
        throw OptionError("quality_control: gene names or sample labels do not match the matrix");
    std::vector<char> is_mito(counts.n_rows, 0);
    const std::unordered_set<std::string> explicit_names(options.mito_genes.begin(), options.mito_genes.end());
    QcResults r;
    for (std::size_t g = 0; g < gene_names.size(); ++g) {
        bool mito = explicit_names.count(gene_names[g]) > 0;
        for (const auto& p : options.mito_prefixes) mito |= gene_names[g].rfind(p, 0) == 0;
        is_mito[g] = mito;
        r.mito_genes_found += mito;
    }
    r.mito_gene.assign(is_mito.begin(), is_mito.end());
    const std::uint32_t n = counts.n_cols;
    r.umis.assign(n, 0);
    r.genes.assign(n, 0);
    r.mito_fraction.assign(n, 0);
    for (std::uint32_t c = 0; c < n; ++c) {
        double total = 0, mito = 0;
        auto rows = counts.column_rows(c);
        auto vals = counts.column_values(c);
        for (std::size_t k = 0; k < rows.size(); ++k) {
            total += vals[k];
            if (is_mito[rows[k]]) mito += vals[k];
        }
        r.umis[c] = total;
        r.genes[c] = static_cast<double>(rows.size());
        r.mito_fraction[c] = total > 0 ? mito / total : 0;
    }
    const std::uint32_t n_samples = n ? *std::max_element(sample_of_cell.begin(), sample_of_cell.end()) + 1 : 0;
    r.thresholds.resize(n_samples);
    r.low_umis.assign(n, false);
    r.low_genes.assign(n, false);
    r.high_mito.assign(n, false);
    r.discard.assign(n, false);
    for (std::uint32_t s = 0; s < n_samples; ++s) {
        std::vector<double> log_umis, log_genes, mito;
        for (std::uint32_t c = 0; c < n; ++c) {
            if (sample_of_cell[c] != s) continue;
            log_umis.push_back(std::log1p(r.umis[c]));
            log_genes.push_back(std::log1p(r.genes[c]));
            mito.push_back(r.mito_fraction[c]);
        }
        if (log_umis.empty()) continue;
        auto& t = r.thresholds[s];
        const auto [mu, du] = median_mad(log_umis);
        const auto [mg, dg] = median_mad(log_genes);
        const auto [mm, dm] = median_mad(mito);
        t.min_umis = du > options.min_mad ? std::expm1(mu - options.nmads * du) : 0;
        t.min_genes = dg > options.min_mad ? std::expm1(mg - options.nmads * dg) : 0;
        t.max_mito_fraction = dm > options.min_mad ? mm + options.nmads * dm : 1;
        for (std::uint32_t c = 0; c < n; ++c) {
            if (sample_of_cell[c] != s) continue;
            r.low_umis[c] = r.umis[c] < t.min_umis || r.umis[c] == 0;  // an empty barcode is never a cell
            r.low_genes[c] = r.genes[c] < t.min_genes;
            r.high_mito[c] = r.mito_fraction[c] > t.max_mito_fraction;
            r.discard[c] = r.low_umis[c] || r.low_genes[c] || r.high_mito[c];
        }
    }
    return r;
}

}  // namespace kupffer::cluster
