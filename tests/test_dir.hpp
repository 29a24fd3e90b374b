#pragma once
// A fresh temporary folder per test, removed afterwards.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

namespace kupffer::test {

class TempDir {
public:
    TempDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "kupffer";
        for (auto& c : name)
            if (c == '/') c = '_';
        path_ = std::filesystem::temp_directory_path() / ("kupffer-test-" + name + "-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

inline std::string shared_data(const std::string& relative) { return std::string(KUPFFER_SHARED_DATA) + "/" + relative; }

}  // namespace kupffer::test
