#include "kupffer/cluster/empirical_bayes.hpp"

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/polygamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "kupffer/core/statistics.hpp"

namespace kupffer::cluster {

double trigamma_inverse(double x) {
    if (x > 1e7) return 1 / std::sqrt(x);
    if (x < 1e-6) return 1 / x;
    double y = 0.5 + 1 / x;
    for (int iter = 0; iter < 50; ++iter) {
        const double tri = boost::math::trigamma(y);
        const double dif = tri * (1 - tri / x) / boost::math::polygamma(2, y);
        y += dif;
        if (-dif / y < 1e-8) break;
    }
    return y;
}

std::pair<double, double> fit_f_distribution(std::vector<double> s2, const std::vector<double>& df) {
    std::vector<double> x, d;
    for (std::size_t i = 0; i < s2.size(); ++i)
        if (std::isfinite(s2[i]) && df[i] > 1e-15) x.push_back(std::max(0.0, s2[i])), d.push_back(df[i]);
    if (x.size() < 2) return {0.0, x.empty() ? 1.0 : x[0]};
    double m = median(x);
    if (m == 0) m = 1;
    std::vector<double> e(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        e[i] = std::log(std::max(x[i], 1e-5 * m)) - boost::math::digamma(d[i] / 2) + std::log(d[i] / 2);
    const double n = static_cast<double>(e.size());
    const double mean = std::accumulate(e.begin(), e.end(), 0.0) / n;
    double var = 0, tri = 0;
    for (std::size_t i = 0; i < e.size(); ++i) var += (e[i] - mean) * (e[i] - mean), tri += boost::math::trigamma(d[i] / 2);
    var = var / (n - 1) - tri / n;
    if (var > 0) {
        const double df2 = 2 * trigamma_inverse(var);
        return {df2, std::exp(mean + boost::math::digamma(df2 / 2) - std::log(df2 / 2))};
    }
    return {std::numeric_limits<double>::infinity(), std::exp(mean)};
}


}  // namespace kupffer::cluster
