#pragma once
// Group comparisons with the animals (or samples) as replicates, for the study's findings beyond
// IL-6: monocyte "aggregation" (a cell type's share of a sample's cells) and maturation (an
// animal's mean pseudotime). One value per replicate and feature; within each timepoint every
// group is compared with every earlier group of `group_order` (the first is the reference) by a
// two-sample Student t-test (pooled variance: with 2-4 animals a group, Welch's degrees of freedom
// are too unstable), BH-adjusted over the features of one comparison. Shares are tested on the
// arcsine-square-root scale, as speckle's propeller does for cell-type proportions, and with
// `moderate` their variances are shrunk towards a common prior as propeller's limma step does.
#include <cstddef>
#include <string>
#include <vector>

namespace kupffer::cluster {

struct ReplicateValue {
    std::string feature;    ///< e.g. a cell type, or "maturation_pseudotime"
    std::string group, timepoint, replicate;
    double value = 0;
};

struct GroupTestOptions {
    std::size_t min_replicates = 2;  ///< per group, for the comparison to be made
    /// Moderate the variances across the features of a comparison (limma's empirical Bayes, as
    /// speckle's propeller does for cell-type shares); needs at least 3 features with the same
    /// replicate counts, else the ordinary pooled t-test is used.
    bool moderate = false;
};

/// limma::squeezeVar's prior: variances with `df` residual degrees of freedom are modelled as
/// scaled inverse chi-square around `variance` with `df` prior degrees of freedom (fitFDist).
/// df = 0 when it cannot be estimated (fewer than 2 positive variances), infinite when the
/// variances vary no more than sampling explains.
struct PriorVariance {
    double variance = 0, df = 0;
};
PriorVariance fit_prior_variance(const std::vector<double>& variances, double df);

struct GroupTest {
    std::string feature, timepoint, group, reference;
    std::size_t n_group = 0, n_reference = 0;
    double mean_group = 0, mean_reference = 0;  ///< on the values' own scale
    double t = 0, df = 0, p_value = 1, fdr = 1;  ///< df: residual, plus the prior's when moderated
    double variance = 0;   ///< pooled within-group variance (before moderation)
    double prior_df = 0;   ///< the variance prior's df (0: not moderated)
};

/// Every comparison with enough replicates on both sides, in group_order, timepoint and feature
/// order of first appearance. Features with no variance in either group get p = 1.
std::vector<GroupTest> compare_groups(const std::vector<ReplicateValue>& values, const std::vector<std::string>& group_order,
                                      const GroupTestOptions& options = {});

/// asin(sqrt(p)): proportions on a scale where their variance hardly depends on the mean.
double arcsine_sqrt(double proportion);

}  // namespace kupffer::cluster
