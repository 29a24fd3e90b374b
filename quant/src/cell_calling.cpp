#include "kupffer/quant/cell_calling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/parallel.hpp"
#include "kupffer/core/random.hpp"

namespace kupffer::quant {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Dirichlet-multinomial log-probability of a count column, up to terms equal for all columns
/// with the same total (those cancel in the Monte-Carlo comparison), plus the total's terms.
double dm_loglik(std::span<const std::uint32_t> rows, std::span<const std::uint32_t> values, const std::vector<double>& ap,
                 double alpha, double total) {
    double ll = std::lgamma(total + 1) + std::lgamma(alpha) - std::lgamma(total + alpha);
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const double y = values[k], a = ap[rows[k]];
        ll += std::lgamma(y + a) - std::lgamma(a) - std::lgamma(y + 1);
    }
    return ll;
}

/// Maximum-likelihood alpha of the ambient barcodes under DM(alpha * p), by golden-section search
/// on log alpha.
double fit_alpha(const CountMatrix& m, const std::vector<std::uint32_t>& ambient, const std::vector<double>& p) {
    auto loglik = [&](double log_alpha) {
        const double alpha = std::exp(log_alpha);
        std::vector<double> ap(p.size());
        for (std::size_t g = 0; g < p.size(); ++g) ap[g] = alpha * p[g];
        double ll = 0;
        for (auto c : ambient) {
            double total = 0;
            for (auto v : m.column_values(c)) total += v;
            ll += dm_loglik(m.column_rows(c), m.column_values(c), ap, alpha, total);
        }
        return ll;
    };
    double lo = std::log(1e-2), hi = std::log(1e4);  // DropletUtils' interval
    const double phi = (std::sqrt(5.0) - 1) / 2;
    double x1 = hi - phi * (hi - lo), x2 = lo + phi * (hi - lo);
    double f1 = loglik(x1), f2 = loglik(x2);
    for (int it = 0; it < 60; ++it) {
        if (f1 < f2) lo = x1, x1 = x2, f1 = f2, x2 = lo + phi * (hi - lo), f2 = loglik(x2);
        else hi = x2, x2 = x1, f2 = f1, x1 = hi - phi * (hi - lo), f1 = loglik(x1);
    }
    return std::exp((lo + hi) / 2);
}

}  // namespace

std::vector<double> good_turing_proportions(const std::vector<double>& counts) {
    // Frequencies of frequencies: distinct positive counts r (ascending) and how many have each.
    std::vector<std::uint64_t> values;
    std::uint64_t zeros = 0;
    for (double c : counts) {
        if (c < 0 || c != std::floor(c)) throw OptionError("good_turing_proportions: counts must be non-negative integers");
        if (c == 0) ++zeros;
        else values.push_back(static_cast<std::uint64_t>(c));
    }
    std::vector<double> out(counts.size(), 0.0);
    if (values.empty()) return out;
    std::sort(values.begin(), values.end());
    std::vector<double> r, n;
    for (std::size_t i = 0; i < values.size();) {
        std::size_t j = i;
        while (j < values.size() && values[j] == values[i]) ++j;
        r.push_back(static_cast<double>(values[i]));
        n.push_back(static_cast<double>(j - i));
        i = j;
    }
    const std::size_t k = r.size();
    double big_n = 0;
    for (std::size_t i = 0; i < k; ++i) big_n += r[i] * n[i];
    // Z_r = n_r / ((t - q) / 2) and the least-squares line of log Z on log r.
    std::vector<double> log_r(k), log_z(k);
    double mean_x = 0, mean_y = 0;
    for (std::size_t i = 0; i < k; ++i) {
        const double q = i == 0 ? 0.0 : r[i - 1], t = i + 1 == k ? 2 * r[i] - q : r[i + 1];
        log_r[i] = std::log(r[i]);
        log_z[i] = std::log(2 * n[i]) - std::log(t - q);
        mean_x += log_r[i], mean_y += log_z[i];
    }
    mean_x /= static_cast<double>(k), mean_y /= static_cast<double>(k);
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < k; ++i) sxy += (log_r[i] - mean_x) * (log_z[i] - mean_y), sxx += (log_r[i] - mean_x) * (log_r[i] - mean_x);
    const double slope = sxx > 0 ? sxy / sxx : 0.0;
    const double p0 = r[0] == 1 ? n[0] / big_n : 0.0;
    std::vector<double> r_star(k);
    bool smooth = false;
    double n_prime = 0;
    for (std::size_t i = 0; i < k; ++i) {
        const double next = r[i] + 1;
        const double y = next * std::exp(slope * (std::log(next) - log_r[i]));
        if (i + 1 == k || r[i + 1] != next) smooth = true;
        if (!smooth) {
            const double x = next * n[i + 1] / n[i];
            const double sd = std::sqrt(next * next * n[i + 1] / (n[i] * n[i]) * (1 + n[i + 1] / n[i]));
            if (std::abs(x - y) <= 1.96 * sd) smooth = true, r_star[i] = y;
            else r_star[i] = x;
        } else {
            r_star[i] = y;
        }
        n_prime += r_star[i] * n[i];
    }
    const double zero_share = zeros ? p0 / static_cast<double>(zeros) : 0.0;
    for (std::size_t g = 0; g < counts.size(); ++g) {
        if (counts[g] == 0) {
            out[g] = zero_share;
            continue;
        }
        const auto at = static_cast<std::size_t>(std::lower_bound(r.begin(), r.end(), counts[g]) - r.begin());
        out[g] = (1 - p0) * r_star[at] / n_prime;
    }
    // Categories still at zero: DropletUtils' pseudo-probability.
    const auto still_zero = static_cast<double>(std::count(out.begin(), out.end(), 0.0));
    if (still_zero > 0) {
        const double pseudo = 1.0 / big_n;
        for (auto& v : out) v = v == 0 ? pseudo / still_zero : v * (1 - pseudo);
    }
    return out;
}

std::vector<double> benjamini_hochberg(const std::vector<double>& p) {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < p.size(); ++i)
        if (!std::isnan(p[i])) order.push_back(i);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return p[a] != p[b] ? p[a] > p[b] : a < b; });
    std::vector<double> q(p.size(), kNaN);
    const double n = static_cast<double>(order.size());
    double running = 1.0;
    for (std::size_t r = 0; r < order.size(); ++r) {
        const double rank = n - static_cast<double>(r);  // 1-based rank in ascending order
        running = std::min(running, p[order[r]] * n / rank);
        q[order[r]] = std::min(1.0, running);
    }
    return q;
}

namespace {

/// OrdMag (Cell Ranger 2): barcodes with at least a tenth (ordmag_ratio) of the 99th percentile
/// (ordmag_quantile) of the expected cells' totals.
void call_ordmag(const std::vector<double>& totals, const CellCallingOptions& options, CellCallingResults& r) {
    std::vector<double> sorted = totals;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    if (sorted.empty()) return;
    const std::size_t top = std::min<std::size_t>(options.expected_cells, sorted.size());
    const auto q_index = static_cast<std::size_t>(std::floor((1.0 - options.ordmag_quantile) * static_cast<double>(top)));
    r.ordmag_threshold = std::max(1.0, sorted[std::min(q_index, top - 1)] / options.ordmag_ratio);
    for (std::size_t c = 0; c < totals.size(); ++c)
        if (totals[c] >= r.ordmag_threshold) r.is_cell[c] = true, ++r.ordmag_cells;
}

/// Ambient proportions by Good-Turing over the genes seen in any barcode, from the low-count
/// barcodes (others stay 0: no barcode has them, and simulated molecules never draw them).
std::vector<double> ambient_profile(const CountMatrix& m, const std::vector<std::uint32_t>& ambient) {
    std::vector<double> ambient_counts(m.n_rows, 0.0);
    std::vector<char> seen(m.n_rows, 0);
    for (std::uint32_t c = 0; c < m.n_cols; ++c)
        for (auto g : m.column_rows(c)) seen[g] = 1;
    for (auto c : ambient) {
        auto rows = m.column_rows(c);
        auto vals = m.column_values(c);
        for (std::size_t k = 0; k < rows.size(); ++k) ambient_counts[rows[k]] += vals[k];
    }
    std::vector<double> seen_counts;
    for (std::uint32_t g = 0; g < m.n_rows; ++g)
        if (seen[g]) seen_counts.push_back(ambient_counts[g]);
    const auto proportions = good_turing_proportions(seen_counts);
    std::vector<double> p(m.n_rows, 0.0);
    for (std::uint32_t g = 0, i = 0; g < m.n_rows; ++g)
        if (seen[g]) p[g] = proportions[i++];
    return p;
}

/// The barcodes EmptyDrops tests, sorted by (total, likelihood) so each simulated value counts for
/// a contiguous run of them; runs of one total begin at group_begin.
struct TestedBarcodes {
    std::vector<std::uint32_t> barcodes;
    std::vector<double> observed;         // log-likelihood under the ambient profile, per barcode of the matrix
    std::vector<std::uint32_t> totals;    // distinct totals, ascending
    std::vector<std::size_t> group_begin; // first index in `barcodes` of each total, then barcodes.size()
};

/// Monte Carlo p-values of the tested barcodes: each iteration draws molecules one by one from the
/// ambient Dirichlet-multinomial and, when the running total reaches a tested total, adds one to
/// every barcode of that total whose likelihood is at least as high (a difference array per chunk).
/// Iterations run in fixed chunks with their own random streams, and counts are integers:
/// thread-independent.
std::vector<double> monte_carlo_pvalues(const TestedBarcodes& t, const std::vector<double>& p, double alpha,
                                        const CellCallingOptions& options) {
    std::vector<double> ap(p.size());
    for (std::size_t g = 0; g < p.size(); ++g) ap[g] = alpha * p[g];
    std::vector<double> cumulative(p.size());
    std::partial_sum(p.begin(), p.end(), cumulative.begin());
    const std::uint32_t max_total = t.totals.back();
    constexpr std::size_t kChunk = 64;
    const std::size_t n_chunks = (options.iterations + kChunk - 1) / kChunk;
    std::vector<std::vector<std::int64_t>> diffs(n_chunks);
    parallel_for(n_chunks, options.threads, [&](std::size_t chunk) {
        Rng rng(options.seed, 0xED, chunk);
        const std::size_t first = chunk * kChunk, last = std::min<std::size_t>(options.iterations, first + kChunk);
        auto& diff = diffs[chunk];
        diff.assign(t.barcodes.size() + 1, 0);
        std::vector<std::uint32_t> counts(p.size());
        std::vector<std::uint32_t> drawn;  // genes drawn so far, for the urn's copies
        drawn.reserve(max_total);
        for (std::size_t it = first; it < last; ++it) {
            std::fill(counts.begin(), counts.end(), 0);
            drawn.clear();
            double ll = std::lgamma(alpha);
            std::size_t next = 0;
            for (std::uint32_t total = 1; total <= max_total; ++total) {
                // The null is the Dirichlet-multinomial itself (as DropletUtils samples it): a Polya
                // urn where the next molecule is gene g with probability (alpha p_g + y_g) / (alpha + t - 1),
                // i.e. a fresh ambient draw with probability alpha / (alpha + t - 1), else a copy of
                // an earlier molecule.
                std::size_t gene;
                if (rng.uniform() * (alpha + static_cast<double>(total - 1)) < alpha) {
                    const double u = rng.uniform() * cumulative.back();
                    gene = std::min<std::size_t>(
                        static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin()), p.size() - 1);
                } else {
                    gene = drawn[rng.below(drawn.size())];
                }
                drawn.push_back(static_cast<std::uint32_t>(gene));
                // One more molecule of `gene`: Gamma(y+a)/Gamma(y+1) grows by (y+a)/(y+1).
                ll += std::log(counts[gene] + ap[gene]) - std::log(counts[gene] + 1.0);
                ++counts[gene];
                if (total != t.totals[next]) continue;
                const double sim = ll + std::lgamma(total + 1.0) - std::lgamma(total + alpha);
                const auto b = t.barcodes.begin() + static_cast<std::ptrdiff_t>(t.group_begin[next]);
                const auto e = t.barcodes.begin() + static_cast<std::ptrdiff_t>(t.group_begin[next + 1]);
                const auto from = std::lower_bound(b, e, sim, [&](std::uint32_t c, double v) { return t.observed[c] < v; });
                ++diff[static_cast<std::size_t>(from - t.barcodes.begin())];
                --diff[t.group_begin[next + 1]];
                if (++next == t.totals.size()) break;
            }
        }
    });
    std::vector<double> pvalues(t.barcodes.size());
    std::int64_t running = 0;
    for (std::size_t i = 0; i < t.barcodes.size(); ++i) {
        for (const auto& diff : diffs) running += diff[i];
        pvalues[i] = (static_cast<double>(running) + 1.0) / (options.iterations + 1.0);
    }
    return pvalues;
}

}  // namespace

CellCallingResults call_cells(const CountMatrix& m, const CellCallingOptions& options) {
    if (options.expected_cells == 0) throw OptionError("expected cells must be at least 1");
    if (options.iterations == 0) throw OptionError("EmptyDrops needs at least one iteration");
    CellCallingResults r;
    const std::uint32_t n = m.n_cols;
    r.is_cell.assign(n, false);
    r.pvalue.assign(n, kNaN);
    r.fdr.assign(n, kNaN);
    const std::vector<double> totals = m.column_sums();
    call_ordmag(totals, options, r);
    if (!options.emptydrops) return r;

    // EmptyDrops: barcodes at most `lower` make the ambient profile; the others not called by
    // OrdMag are tested against it.
    std::vector<std::uint32_t> ambient;
    TestedBarcodes t;
    for (std::uint32_t c = 0; c < n; ++c) {
        if (totals[c] <= options.lower) ambient.push_back(c);
        else if (!r.is_cell[c]) t.barcodes.push_back(c);
    }
    if (ambient.empty() || t.barcodes.empty()) return r;
    const auto p = ambient_profile(m, ambient);
    r.alpha = fit_alpha(m, ambient, p);
    std::vector<double> ap(p.size());
    for (std::size_t g = 0; g < p.size(); ++g) ap[g] = r.alpha * p[g];
    t.observed.assign(n, 0.0);
    for (auto c : t.barcodes) t.observed[c] = dm_loglik(m.column_rows(c), m.column_values(c), ap, r.alpha, totals[c]);
    std::sort(t.barcodes.begin(), t.barcodes.end(), [&](auto a, auto b) {
        return totals[a] != totals[b] ? totals[a] < totals[b] : t.observed[a] != t.observed[b] ? t.observed[a] < t.observed[b] : a < b;
    });
    for (std::size_t i = 0; i < t.barcodes.size(); ++i) {
        const auto total = static_cast<std::uint32_t>(totals[t.barcodes[i]]);
        if (t.totals.empty() || t.totals.back() != total) t.totals.push_back(total), t.group_begin.push_back(i);
    }
    t.group_begin.push_back(t.barcodes.size());

    const auto pvalues = monte_carlo_pvalues(t, p, r.alpha, options);
    for (std::size_t i = 0; i < t.barcodes.size(); ++i) r.pvalue[t.barcodes[i]] = pvalues[i];
    r.fdr = benjamini_hochberg(r.pvalue);
    for (auto c : t.barcodes)
        if (r.fdr[c] <= options.fdr) r.is_cell[c] = true, ++r.emptydrops_cells;
    return r;
}

}  // namespace kupffer::quant
