#pragma once
// limma's empirical Bayes variance prior (Smyth 2004), shared by edgeR-style quasi-likelihood
// tests and the group tests: sample variances with residual df are modelled as scaled inverse
// chi-square around a prior variance with prior df, estimated from the moments of their logs.
#include <utility>
#include <vector>

namespace kupffer::cluster {

/// limma's fitFDist without covariates: {prior df, prior variance} from variances `s2` with
/// residual degrees of freedom `df` (one per variance). Variances are floored at 1e-5 x their
/// median, as limma does; prior df is infinite when the variances vary no more than sampling
/// explains, 0 with fewer than two usable variances.
std::pair<double, double> fit_f_distribution(std::vector<double> s2, const std::vector<double>& df);

/// limma's trigammaInverse: y with trigamma(y) = x, by Newton's method.
double trigamma_inverse(double x);

}  // namespace kupffer::cluster
