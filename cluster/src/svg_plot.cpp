#include "kupffer/cluster/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace kupffer::cluster::svg {

namespace {

const char* colour(std::size_t i) {
    static const char* palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                                    "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
                                    "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"};
    return palette[i % 20];
}

std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else if (c == '&') out += "&amp;";
        else if (c == '"') out += "&quot;";
        else out += c;
    }
    return out;
}

std::string num(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f", v);
    return b;
}

std::string header(double w, double h, const std::string& title) {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(w) + "\" height=\"" + num(h) + "\" viewBox=\"0 0 " + num(w) + " " +
           num(h) + "\" font-family=\"Helvetica, Arial, sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" +
           "<text x=\"" + num(w / 2) + "\" y=\"24\" text-anchor=\"middle\" font-size=\"16\">" + escape(title) + "</text>\n";
}

}  // namespace

std::string scatter(const std::string& title, const std::vector<double>& x, const std::vector<double>& y,
                    const std::vector<std::string>& labels, const std::vector<std::string>& order) {
    std::vector<std::string> legend = order;
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < legend.size(); ++i) index.emplace(legend[i], i);
    for (const auto& l : labels)
        if (index.emplace(l, legend.size()).second) legend.push_back(l);
    const double w = 820, h = 640, plot = 560, left = 40, top = 50;
    double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    if (!x.empty()) {
        x0 = *std::min_element(x.begin(), x.end()), x1 = *std::max_element(x.begin(), x.end());
        y0 = *std::min_element(y.begin(), y.end()), y1 = *std::max_element(y.begin(), y.end());
    }
    const double sx = plot / std::max(1e-12, x1 - x0), sy = plot / std::max(1e-12, y1 - y0);
    std::string s = header(w, h, title);
    s += "<rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(plot) + "\" height=\"" + num(plot) +
         "\" fill=\"none\" stroke=\"#999\"/>\n";
    const double radius = x.size() > 20000 ? 0.8 : (x.size() > 2000 ? 1.5 : 2.5);
    for (std::size_t i = 0; i < x.size(); ++i)
        s += "<circle cx=\"" + num(left + (x[i] - x0) * sx) + "\" cy=\"" + num(top + plot - (y[i] - y0) * sy) + "\" r=\"" + num(radius) +
             "\" fill=\"" + colour(index[labels[i]]) + "\" fill-opacity=\"0.7\"/>\n";
    for (std::size_t i = 0; i < legend.size(); ++i) {
        const double ly = top + 10 + 18.0 * static_cast<double>(i);
        s += "<circle cx=\"" + num(left + plot + 20) + "\" cy=\"" + num(ly) + "\" r=\"5\" fill=\"" + colour(i) + "\"/>";
        s += "<text x=\"" + num(left + plot + 30) + "\" y=\"" + num(ly + 4) + "\" font-size=\"12\">" + escape(legend[i]) + "</text>\n";
    }
    s += "<text x=\"" + num(left + plot / 2) + "\" y=\"" + num(top + plot + 24) + "\" text-anchor=\"middle\" font-size=\"12\">UMAP 1</text>\n";
    s += "<text x=\"" + num(left - 14) + "\" y=\"" + num(top + plot / 2) + "\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 " +
         num(left - 14) + " " + num(top + plot / 2) + ")\">UMAP 2</text>\n</svg>\n";
    return s;
}

std::string violins(const std::string& title, const std::string& y_label, const std::vector<ViolinSeries>& series) {
    const double slot = 90, left = 70, top = 50, plot_h = 380;
    const double w = left + slot * static_cast<double>(std::max<std::size_t>(series.size(), 1)) + 30, h = top + plot_h + 120;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& sr : series)
        for (double v : sr.values)
            if (!std::isnan(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    if (!std::isfinite(lo)) lo = 0, hi = 1;
    if (hi - lo < 1e-12) hi = lo + 1;
    auto py = [&](double v) { return top + plot_h - (v - lo) / (hi - lo) * plot_h; };
    std::string s = header(w, h, title);
    s += "<line x1=\"" + num(left) + "\" y1=\"" + num(top) + "\" x2=\"" + num(left) + "\" y2=\"" + num(top + plot_h) + "\" stroke=\"#333\"/>\n";
    for (int t = 0; t <= 4; ++t) {
        const double v = lo + (hi - lo) * t / 4;
        char label[32];
        std::snprintf(label, sizeof label, "%.2g", v);
        s += "<text x=\"" + num(left - 6) + "\" y=\"" + num(py(v) + 4) + "\" text-anchor=\"end\" font-size=\"11\">" + label + "</text>\n";
    }
    s += "<text x=\"16\" y=\"" + num(top + plot_h / 2) + "\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 16 " +
         num(top + plot_h / 2) + ")\">" + escape(y_label) + "</text>\n";
    for (std::size_t i = 0; i < series.size(); ++i) {
        std::vector<double> v;
        for (double x : series[i].values)
            if (!std::isnan(x)) v.push_back(x);
        const double cx = left + slot * (static_cast<double>(i) + 0.5);
        if (!v.empty()) {
            std::sort(v.begin(), v.end());
            const double m = static_cast<double>(v.size());
            double mean = 0, var = 0;
            for (double x : v) mean += x / m;
            for (double x : v) var += (x - mean) * (x - mean) / std::max(1.0, m - 1);
            const double bw = std::max(1e-3 * (hi - lo), 1.06 * std::sqrt(var) * std::pow(m, -0.2));
            std::vector<double> dens(60);
            double peak = 0;
            for (std::size_t k = 0; k < dens.size(); ++k) {
                const double at = v.front() + (v.back() - v.front()) * static_cast<double>(k) / 59.0;
                for (double x : v) dens[k] += std::exp(-0.5 * (at - x) * (at - x) / (bw * bw));
                peak = std::max(peak, dens[k]);
            }
            std::string left_side, right_side;
            for (std::size_t k = 0; k < dens.size(); ++k) {
                const double at = v.front() + (v.back() - v.front()) * static_cast<double>(k) / 59.0;
                const double half = peak > 0 ? dens[k] / peak * slot * 0.4 : 0;
                left_side += num(cx - half) + "," + num(py(at)) + " ";
                right_side = num(cx + half) + "," + num(py(at)) + " " + right_side;
            }
            s += "<polygon points=\"" + left_side + right_side + "\" fill=\"" + colour(i) + "\" fill-opacity=\"0.6\" stroke=\"" + colour(i) + "\"/>\n";
            const double med = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
            s += "<line x1=\"" + num(cx - 12) + "\" y1=\"" + num(py(med)) + "\" x2=\"" + num(cx + 12) + "\" y2=\"" + num(py(med)) +
                 "\" stroke=\"black\" stroke-width=\"2\"/>\n";
        }
        s += "<text x=\"" + num(cx) + "\" y=\"" + num(top + plot_h + 16) + "\" text-anchor=\"end\" font-size=\"11\" transform=\"rotate(-35 " +
             num(cx) + " " + num(top + plot_h + 16) + ")\">" + escape(series[i].name) + " (n=" + std::to_string(v.size()) + ")</text>\n";
    }
    return s + "</svg>\n";
}

std::string stacked_bars(const std::string& title, const std::vector<std::string>& bars, const std::vector<std::string>& stacks,
                         const std::vector<std::vector<double>>& fractions) {
    const double slot = 70, left = 60, top = 50, plot_h = 380;
    const double w = left + slot * static_cast<double>(std::max<std::size_t>(bars.size(), 1)) + 220, h = top + plot_h + 120;
    std::string s = header(w, h, title);
    for (std::size_t b = 0; b < bars.size(); ++b) {
        double y = top + plot_h;
        const double x = left + slot * static_cast<double>(b) + 10;
        for (std::size_t k = 0; k < stacks.size(); ++k) {
            const double hgt = fractions[b][k] * plot_h;
            y -= hgt;
            s += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(slot - 20) + "\" height=\"" + num(hgt) + "\" fill=\"" +
                 colour(k) + "\"/>\n";
        }
        const double cx = x + (slot - 20) / 2;
        s += "<text x=\"" + num(cx) + "\" y=\"" + num(top + plot_h + 16) + "\" text-anchor=\"end\" font-size=\"11\" transform=\"rotate(-35 " +
             num(cx) + " " + num(top + plot_h + 16) + ")\">" + escape(bars[b]) + "</text>\n";
    }
    for (std::size_t k = 0; k < stacks.size(); ++k) {
        const double ly = top + 10 + 18.0 * static_cast<double>(k);
        const double lx = left + slot * static_cast<double>(bars.size()) + 20;
        s += "<rect x=\"" + num(lx) + "\" y=\"" + num(ly - 6) + "\" width=\"10\" height=\"10\" fill=\"" + colour(k) + "\"/>";
        s += "<text x=\"" + num(lx + 16) + "\" y=\"" + num(ly + 3) + "\" font-size=\"12\">" + escape(stacks[k]) + "</text>\n";
    }
    return s + "</svg>\n";
}

std::string log_lines(const std::string& title, const std::string& x_label, const std::string& y_label,
                      const std::vector<LineSeries>& series, const std::vector<std::pair<double, std::string>>& marks) {
    const double w = 700, h = 460, left = 70, top = 50, pw = 440, ph = 340;
    double x1 = 10, y1 = 10;
    for (const auto& sr : series)
        for (std::size_t i = 0; i < sr.x.size(); ++i) x1 = std::max(x1, sr.x[i]), y1 = std::max(y1, sr.y[i]);
    const double lx1 = std::ceil(std::log10(x1)), ly1 = std::ceil(std::log10(y1));
    auto px = [&](double v) { return left + std::log10(v) / lx1 * pw; };
    auto py = [&](double v) { return top + ph - std::log10(v) / ly1 * ph; };
    std::string s = header(w, h, title);
    s += "<rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(pw) + "\" height=\"" + num(ph) + "\" fill=\"none\" stroke=\"#999\"/>\n";
    for (int d = 0; d <= static_cast<int>(lx1); ++d)
        s += "<text x=\"" + num(px(std::pow(10.0, d))) + "\" y=\"" + num(top + ph + 16) + "\" text-anchor=\"middle\" font-size=\"11\">1e" +
             std::to_string(d) + "</text>\n";
    for (int d = 0; d <= static_cast<int>(ly1); ++d)
        s += "<text x=\"" + num(left - 6) + "\" y=\"" + num(py(std::pow(10.0, d)) + 4) + "\" text-anchor=\"end\" font-size=\"11\">1e" +
             std::to_string(d) + "</text>\n";
    for (const auto& [y, label] : marks) {
        if (!(y > 0)) continue;
        s += "<line x1=\"" + num(left) + "\" y1=\"" + num(py(y)) + "\" x2=\"" + num(left + pw) + "\" y2=\"" + num(py(y)) +
             "\" stroke=\"#555\" stroke-dasharray=\"4 3\"/><text x=\"" + num(left + pw - 4) + "\" y=\"" + num(py(y) - 4) +
             "\" text-anchor=\"end\" font-size=\"11\">" + escape(label) + "</text>\n";
    }
    for (std::size_t k = 0; k < series.size(); ++k) {
        std::string points;
        for (std::size_t i = 0; i < series[k].x.size(); ++i)
            if (series[k].x[i] > 0 && series[k].y[i] > 0) points += num(px(series[k].x[i])) + "," + num(py(series[k].y[i])) + " ";
        s += "<polyline points=\"" + points + "\" fill=\"none\" stroke=\"" + colour(k) + "\" stroke-width=\"2.5\"/>\n";
        const double ly = top + 10 + 18.0 * static_cast<double>(k);
        s += "<rect x=\"" + num(left + pw + 20) + "\" y=\"" + num(ly - 6) + "\" width=\"10\" height=\"10\" fill=\"" + colour(k) + "\"/>";
        s += "<text x=\"" + num(left + pw + 36) + "\" y=\"" + num(ly + 3) + "\" font-size=\"12\">" + escape(series[k].name) + "</text>\n";
    }
    s += "<text x=\"" + num(left + pw / 2) + "\" y=\"" + num(top + ph + 34) + "\" text-anchor=\"middle\" font-size=\"12\">" + escape(x_label) + "</text>\n";
    s += "<text x=\"18\" y=\"" + num(top + ph / 2) + "\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 18 " + num(top + ph / 2) +
         ")\">" + escape(y_label) + "</text>\n";
    return s + "</svg>\n";
}

}  // namespace kupffer::cluster::svg
