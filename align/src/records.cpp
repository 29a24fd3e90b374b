#include "kupffer/align/records.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <numeric>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"

namespace kupffer::align {

namespace fs = std::filesystem;

namespace {
constexpr char kMagic[8] = {'K', 'P', 'F', 'R', 'E', 'C', '\0', '\1'};

void put_u32(std::string& out, std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
void put_u64(std::string& out, std::uint64_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
void put_string(std::string& out, const std::string& s) {
    put_u32(out, static_cast<std::uint32_t>(s.size()));
    out += s;
}

class Input {
public:
    explicit Input(const fs::path& path) : path_(path), f_(std::fopen(path.c_str(), "rb"), &std::fclose) {
        if (!f_) throw IoError(path.string(), "open", errno);
    }
    void read(void* dst, std::size_t bytes) {
        if (bytes && std::fread(dst, 1, bytes, f_.get()) != bytes)
            throw InputError(path_.string(), 0, "truncated record file");
    }
    std::uint32_t u32() {
        std::uint32_t v;
        read(&v, sizeof v);
        return v;
    }
    std::uint64_t u64() {
        std::uint64_t v;
        read(&v, sizeof v);
        return v;
    }
    std::string string(std::uint32_t max) {
        const std::uint32_t n = u32();
        if (n > max) throw InputError(path_.string(), 0, "corrupt record file (string too long)");
        std::string s(n, '\0');
        read(s.data(), n);
        return s;
    }
    bool at_end() { return std::fgetc(f_.get()) == EOF; }

private:
    fs::path path_;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f_;
};
}  // namespace

void canonicalize(RecordFile& file) {
    // Renumber classes by their sorted gene lists, dropping unused ones.
    std::vector<char> used(file.eq_classes.size(), 0);
    for (const auto& r : file.records) used[r.eq_class] = 1;
    std::vector<std::uint32_t> order;
    for (std::uint32_t i = 0; i < file.eq_classes.size(); ++i)
        if (used[i]) order.push_back(i);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return file.eq_classes[a] < file.eq_classes[b]; });
    std::vector<std::uint32_t> new_id(file.eq_classes.size(), 0);
    std::vector<std::vector<std::uint32_t>> classes;
    for (auto old : order) {
        if (classes.empty() || classes.back() != file.eq_classes[old]) classes.push_back(file.eq_classes[old]);
        new_id[old] = static_cast<std::uint32_t>(classes.size() - 1);
    }
    for (auto& r : file.records) r.eq_class = new_id[r.eq_class];
    file.eq_classes = std::move(classes);
    std::sort(file.records.begin(), file.records.end());
    std::size_t out = 0;
    for (std::size_t i = 0; i < file.records.size(); ++i) {
        if (out > 0 && !(file.records[out - 1] < file.records[i])) {
            file.records[out - 1].count += file.records[i].count;
        } else {
            file.records[out++] = file.records[i];
        }
    }
    file.records.resize(out);
}

void write_records(const fs::path& path, const RecordFile& file) {
    std::string header(kMagic, sizeof kMagic);
    put_u32(header, kRecordFormatVersion);
    put_u32(header, file.barcode_length);
    put_u32(header, file.umi_length);
    put_u32(header, static_cast<std::uint32_t>(file.gene_ids.size()));
    for (std::size_t g = 0; g < file.gene_ids.size(); ++g) {
        put_string(header, file.gene_ids[g]);
        put_string(header, file.gene_names[g]);
    }
    put_u32(header, static_cast<std::uint32_t>(file.eq_classes.size()));
    for (const auto& ec : file.eq_classes) {
        put_u32(header, static_cast<std::uint32_t>(ec.size()));
        for (auto g : ec) put_u32(header, g);
    }
    put_u64(header, file.records.size());
    AtomicFile out(path);
    out.write(header);
    out.write(std::string_view(reinterpret_cast<const char*>(file.records.data()), file.records.size() * sizeof(Record)));
    out.commit();
}

RecordFile read_records(const fs::path& path) {
    Input in(path);
    char magic[sizeof kMagic];
    in.read(magic, sizeof magic);
    if (std::memcmp(magic, kMagic, sizeof magic) != 0) throw InputError(path.string(), 0, "not a kupffer record file");
    const std::uint32_t version = in.u32();
    if (version != kRecordFormatVersion)
        throw InputError(path.string(), 0, "record file format version " + std::to_string(version) + "; this kupffer reads version " +
                                               std::to_string(kRecordFormatVersion) + ": re-run `kupffer map`");
    RecordFile file;
    file.barcode_length = in.u32();
    file.umi_length = in.u32();
    if (file.barcode_length == 0 || file.barcode_length > 32 || file.umi_length == 0 || file.umi_length > 32)
        throw InputError(path.string(), 0, "corrupt record file (barcode or UMI length)");
    const std::uint32_t n_genes = in.u32();
    for (std::uint32_t g = 0; g < n_genes; ++g) {
        file.gene_ids.push_back(in.string(1 << 16));
        file.gene_names.push_back(in.string(1 << 16));
    }
    const std::uint32_t n_classes = in.u32();
    file.eq_classes.resize(n_classes);
    for (auto& ec : file.eq_classes) {
        const std::uint32_t n = in.u32();
        if (n == 0 || n > n_genes) throw InputError(path.string(), 0, "corrupt record file (equivalence class)");
        ec.resize(n);
        in.read(ec.data(), n * sizeof(std::uint32_t));
        for (auto g : ec)
            if (g >= n_genes) throw InputError(path.string(), 0, "corrupt record file (gene index)");
    }
    const std::uint64_t n_records = in.u64();
    if (n_records > (std::uint64_t{1} << 40)) throw InputError(path.string(), 0, "corrupt record file (record count)");
    file.records.resize(n_records);
    in.read(file.records.data(), n_records * sizeof(Record));
    if (!in.at_end()) throw InputError(path.string(), 0, "corrupt record file (trailing bytes)");
    for (std::size_t i = 0; i < file.records.size(); ++i) {
        if (file.records[i].eq_class >= n_classes) throw InputError(path.string(), 0, "corrupt record file (class index)");
        if (i > 0 && !(file.records[i - 1] < file.records[i])) throw InputError(path.string(), 0, "record file is not sorted");
    }
    return file;
}

}  // namespace kupffer::align
