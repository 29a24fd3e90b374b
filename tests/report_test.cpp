// The report's alerts: each documented threshold (docs/report.md) fires below it and not above.
#include "kupffer/pipeline/report.hpp"

#include <gtest/gtest.h>

namespace kupffer::pipeline {
namespace {

nlohmann::json good_map() {
    return {{"valid_barcode_fraction", 0.97}, {"mapping_rate", 0.9}, {"q30_barcode", 0.95}, {"q30_cdna", 0.9},
            {"lanes", {{{"lane", 1}, {"exact_barcode_fraction", 0.95}, {"cdna_mapped_fraction", 0.9}},
                       {{"lane", 2}, {"exact_barcode_fraction", 0.94}, {"cdna_mapped_fraction", 0.91}}}}};
}
nlohmann::json good_count() { return {{"estimated_cells", 3000}, {"fraction_reads_in_cells", 0.9}}; }

bool has(const std::vector<Alert>& alerts, const std::string& text) {
    for (const auto& a : alerts)
        if (a.message.find(text) != std::string::npos) return true;
    return false;
}

TEST(ReportAlerts, AGoodSampleHasNone) { EXPECT_TRUE(sample_alerts("s", good_map(), good_count()).empty()); }

TEST(ReportAlerts, EachThresholdFires) {
    auto map = good_map();
    map["valid_barcode_fraction"] = 0.5;
    map["mapping_rate"] = 0.2;
    map["q30_cdna"] = 0.4;
    map["lanes"][1]["exact_barcode_fraction"] = 0.6;
    auto count = good_count();
    count["estimated_cells"] = 40;
    count["fraction_reads_in_cells"] = 0.5;
    const auto alerts = sample_alerts("s", map, count);
    EXPECT_TRUE(has(alerts, "valid barcodes 50.0% (alert below 75.0%)"));
    EXPECT_TRUE(has(alerts, "reads mapped to genes 20.0%"));
    EXPECT_TRUE(has(alerts, "Q30 of cDNA bases"));
    EXPECT_TRUE(has(alerts, "reads in cells 50.0%"));
    EXPECT_TRUE(has(alerts, "40 cells (alert below 100)"));
    EXPECT_TRUE(has(alerts, "lane 2: exact_barcode_fraction 60.0%"));
    EXPECT_FALSE(has(alerts, "lane 1:"));
    EXPECT_EQ(alerts.size(), 6u);
    for (const auto& a : alerts) EXPECT_EQ(a.sample, "s");
}

TEST(ReportAlerts, TooManyCellsAndMissingMetricsAreHandled) {
    auto count = good_count();
    count["estimated_cells"] = 50000;
    EXPECT_TRUE(has(sample_alerts("s", nullptr, count), "50000 cells (alert above 20000)"));
    EXPECT_TRUE(sample_alerts("s", nullptr, nullptr).empty());
}

}  // namespace
}  // namespace kupffer::pipeline
