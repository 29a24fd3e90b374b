#include "kupffer/cluster/group_tests.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "kupffer/cluster/empirical_bayes.hpp"
#include "kupffer/cluster/markers.hpp"

namespace kupffer::cluster {

double arcsine_sqrt(double proportion) { return std::asin(std::sqrt(std::clamp(proportion, 0.0, 1.0))); }

namespace {

template <class T>
void add_once(std::vector<T>& order, const T& value) {
    if (std::find(order.begin(), order.end(), value) == order.end()) order.push_back(value);
}

/// Means, pooled variance and residual df of two groups (t and p not yet set).
GroupTest pooled(const std::vector<double>& a, const std::vector<double>& b) {
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
    t.variance = ss / t.df;
    return t;
}

/// t and its two-sided p from a variance with `df` degrees of freedom.
void finish(GroupTest& t, double variance, double df) {
    const double se = std::sqrt(variance * (1.0 / static_cast<double>(t.n_group) + 1.0 / static_cast<double>(t.n_reference)));
    t.df = df;
    if (!(se > 1e-12)) return;  // no variance: nothing to test (p stays 1)
    t.t = (t.mean_group - t.mean_reference) / se;
    t.p_value = 2 * boost::math::cdf(boost::math::complement(boost::math::students_t(df), std::fabs(t.t)));
}

}  // namespace

PriorVariance fit_prior_variance(const std::vector<double>& variances, double df) {
    const auto [prior_df, prior_variance] = fit_f_distribution(variances, std::vector<double>(variances.size(), df));
    return {prior_variance, prior_df};
}

namespace {

/// Every feature's test of one comparison, moderated or not.
void test_features(std::vector<GroupTest>& tests, bool moderate) {
    PriorVariance prior;
    if (moderate && tests.size() >= 3) {
        std::vector<double> variances;
        for (const auto& t : tests) variances.push_back(t.variance);
        prior = fit_prior_variance(variances, tests.front().df);
    }
    double residual_df = 0;
    for (const auto& t : tests) residual_df += t.df;
    for (auto& t : tests) {
        if (!(prior.df > 0)) {
            finish(t, t.variance, t.df);
            continue;
        }
        // limma's squeezeVar and eBayes: the posterior variance, with the prior's df added (at most
        // the residual df of all the features together).
        const double posterior = std::isinf(prior.df) ? prior.variance : (prior.df * prior.variance + t.df * t.variance) / (prior.df + t.df);
        t.prior_df = prior.df;
        finish(t, posterior, std::min(t.df + prior.df, residual_df));
    }
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
                // Features with the same replicate counts share a variance prior.
                std::map<std::pair<std::size_t, std::size_t>, std::vector<GroupTest>> comparison;
                std::vector<std::string> order;
                for (const auto& f : features) {
                    const auto& a = by[{f, time, group_order[gi]}];
                    const auto& b = by[{f, time, group_order[ri]}];
                    if (a.size() < options.min_replicates || b.size() < options.min_replicates) continue;
                    auto t = pooled(a, b);
                    t.feature = f, t.timepoint = time, t.group = group_order[gi], t.reference = group_order[ri];
                    comparison[{a.size(), b.size()}].push_back(t);
                    order.push_back(f);
                }
                std::map<std::string, GroupTest> done;
                for (auto& [sizes, tests] : comparison) {
                    test_features(tests, options.moderate);
                    for (auto& t : tests) done[t.feature] = t;
                }
                const std::size_t first = out.size();
                for (const auto& f : order) out.push_back(done[f]);
                std::vector<double> p;
                for (std::size_t i = first; i < out.size(); ++i) p.push_back(out[i].p_value);
                const auto fdr = benjamini_hochberg(p);
                for (std::size_t i = first; i < out.size(); ++i) out[i].fdr = fdr[i - first];
            }
    return out;
}

}  // namespace kupffer::cluster
