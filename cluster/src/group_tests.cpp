#include "kupffer/cluster/group_tests.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "kupffer/cluster/markers.hpp"

namespace kupffer::cluster {

double arcsine_sqrt(double proportion) { return std::asin(std::sqrt(std::clamp(proportion, 0.0, 1.0))); }

namespace {

template <class T>
void add_once(std::vector<T>& order, const T& value) {
    if (std::find(order.begin(), order.end(), value) == order.end()) order.push_back(value);
}

GroupTest student_t(const std::vector<double>& a, const std::vector<double>& b) {
    GroupTest t;
    t.n_group = a.size(), t.n_reference = b.size();
    auto mean = [](const std::vector<double>& v) {
        double m = 0;
        for (double x : v) m += x / static_cast<double>(v.size());
        return m;
    };
    t.mean_group = mean(a), t.mean_reference = mean(b);
    double ss = 0;
    for (double x : a) ss += (x - t.mean_group) * (x - t.mean_group);
    for (double x : b) ss += (x - t.mean_reference) * (x - t.mean_reference);
    t.df = static_cast<double>(a.size() + b.size()) - 2;
    const double se = std::sqrt(ss / t.df * (1.0 / static_cast<double>(a.size()) + 1.0 / static_cast<double>(b.size())));
    if (!(se > 1e-12)) return t;  // no variance: nothing to test (p stays 1)
    t.t = (t.mean_group - t.mean_reference) / se;
    t.p_value = 2 * boost::math::cdf(boost::math::complement(boost::math::students_t(t.df), std::fabs(t.t)));
    return t;
}

}  // namespace

std::vector<GroupTest> compare_groups(const std::vector<ReplicateValue>& values, const std::vector<std::string>& group_order,
                                      const GroupTestOptions& options) {
    std::vector<std::string> features, timepoints;
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<double>> by;  // feature, timepoint, group
    for (const auto& v : values) {
        add_once(features, v.feature);
        add_once(timepoints, v.timepoint);
        by[{v.feature, v.timepoint, v.group}].push_back(v.value);
    }
    std::vector<GroupTest> out;
    for (const auto& time : timepoints)
        for (std::size_t gi = 0; gi < group_order.size(); ++gi)
            for (std::size_t ri = 0; ri < gi; ++ri) {
                const std::size_t first = out.size();
                for (const auto& f : features) {
                    const auto& a = by[{f, time, group_order[gi]}];
                    const auto& b = by[{f, time, group_order[ri]}];
                    if (a.size() < options.min_replicates || b.size() < options.min_replicates) continue;
                    auto t = student_t(a, b);
                    t.feature = f, t.timepoint = time, t.group = group_order[gi], t.reference = group_order[ri];
                    out.push_back(t);
                }
                std::vector<double> p;
                for (std::size_t i = first; i < out.size(); ++i) p.push_back(out[i].p_value);
                const auto fdr = benjamini_hochberg(p);
                for (std::size_t i = first; i < out.size(); ++i) out[i].fdr = fdr[i - first];
            }
    return out;
}

}  // namespace kupffer::cluster
