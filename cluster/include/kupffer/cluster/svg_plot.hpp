#pragma once
// The analysis figures as SVG text (no plotting library in Debian's C++ stack fits; SVG is a plain
// format every browser and vector editor opens): a labelled scatter (UMAP), violins of a value by
// category, and stacked composition bars. Colours come from one fixed categorical palette.
#include <string>
#include <vector>

namespace kupffer::cluster::svg {

/// Points coloured by label, with a legend in label order of first appearance (or `order`).
std::string scatter(const std::string& title, const std::vector<double>& x, const std::vector<double>& y,
                    const std::vector<std::string>& labels, const std::vector<std::string>& order = {});

struct ViolinSeries {
    std::string name;            ///< x-axis category
    std::vector<double> values;  ///< NaN skipped
};
/// One violin (Gaussian kernel density, Silverman bandwidth) per series, with its median marked and
/// the number of values under it.
std::string violins(const std::string& title, const std::string& y_label, const std::vector<ViolinSeries>& series);

/// One stacked bar per category: fractions[b][s] for bar b and stack s (each bar sums to 1).
std::string stacked_bars(const std::string& title, const std::vector<std::string>& bars, const std::vector<std::string>& stacks,
                         const std::vector<std::vector<double>>& fractions);

struct LineSeries {
    std::string name;
    std::vector<double> x, y;  ///< points in order; non-positive values are left out on log axes
};
/// Lines on log10 axes (a barcode-rank "knee" plot: rank against UMIs), one colour per series,
/// with a legend; `marks` draws a dashed horizontal line at each given y with its label.
std::string log_lines(const std::string& title, const std::string& x_label, const std::string& y_label,
                      const std::vector<LineSeries>& series, const std::vector<std::pair<double, std::string>>& marks = {});

}  // namespace kupffer::cluster::svg
