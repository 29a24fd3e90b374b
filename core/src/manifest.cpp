#include "kupffer/core/manifest.hpp"

#include <htslib/hts.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <memory>
#include <vector>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"

namespace kupffer {

namespace fs = std::filesystem;

const char* kupffer_version() noexcept { return KUPFFER_VERSION; }

namespace {

std::string md5_of(const fs::path& path) {
    std::unique_ptr<hts_md5_context, decltype(&hts_md5_destroy)> md5(hts_md5_init(), hts_md5_destroy);
    if (!md5) throw IoError(path.string(), "hash", ENOMEM);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(path.string(), "open", errno);
    std::vector<char> buffer(std::size_t{1} << 20);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        if (in.gcount() > 0) hts_md5_update(md5.get(), buffer.data(), static_cast<unsigned long>(in.gcount()));
    }
    if (in.bad()) throw IoError(path.string(), "read", errno);
    unsigned char digest[16];
    hts_md5_final(digest, md5.get());
    char hex[33];
    hts_md5_hex(hex, digest);
    return hex;
}

nlohmann::json file_fingerprint(const fs::path& path, Fingerprint mode) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) throw IoError(path.string(), "read the size of", ec.value());
    const auto mtime = fs::last_write_time(path, ec);
    if (ec) throw IoError(path.string(), "read the time of", ec.value());
    nlohmann::json out = {{"path", path.string()},
                          {"size", size},
                          {"mtime_ns", std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count()}};
    if (mode == Fingerprint::Deep) out["md5"] = md5_of(path);
    return out;
}

}  // namespace

nlohmann::json fingerprint(const fs::path& path, Fingerprint mode) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) return file_fingerprint(path, mode);
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(path, ec))
        if (entry.is_regular_file()) files.push_back(entry.path());
    if (ec) throw IoError(path.string(), "list", ec.value());
    std::sort(files.begin(), files.end());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& f : files) out.push_back(file_fingerprint(f, mode));
    return out;
}

nlohmann::json StageManifest::to_json() const {
    nlohmann::json out = {{"software", "kupffer"}, {"version", kupffer_version()}, {"stage", stage}};
    if (!sample.empty()) out["sample"] = sample;
    out["options"] = options;
    out["inputs"] = inputs;
    out["outputs"] = outputs;
    return out;
}

std::string manifest_name(const std::string& stage) { return "kupffer_" + stage + ".json"; }

void write_manifest(const fs::path& folder, const StageManifest& manifest) {
    write_text_file(folder / manifest_name(manifest.stage), manifest.to_json().dump(2) + "\n");
}

}  // namespace kupffer
