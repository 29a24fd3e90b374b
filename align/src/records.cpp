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

}  // namespace

std::vector<std::uint32_t> renumber_classes(std::vector<std::vector<std::uint32_t>>& classes, const std::vector<char>& used) {
    std::vector<std::uint32_t> order;
    for (std::uint32_t i = 0; i < classes.size(); ++i)
        if (i < used.size() && used[i]) order.push_back(i);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return classes[a] < classes[b]; });
    std::vector<std::uint32_t> new_id(classes.size(), 0);
    std::vector<std::vector<std::uint32_t>> renumbered;
    for (auto old : order) {
        if (renumbered.empty() || renumbered.back() != classes[old]) renumbered.push_back(classes[old]);
        new_id[old] = static_cast<std::uint32_t>(renumbered.size() - 1);
    }
    classes = std::move(renumbered);
    return new_id;
}

void sort_and_merge(std::vector<Record>& records) {
    std::sort(records.begin(), records.end());
    std::size_t out = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (out > 0 && !(records[out - 1] < records[i])) records[out - 1].count += records[i].count;
        else records[out++] = records[i];
    }
    records.resize(out);
}

void canonicalize(RecordFile& file) {
    std::vector<char> used(file.eq_classes.size(), 0);
    for (const auto& r : file.records) used[r.eq_class] = 1;
    const auto new_id = renumber_classes(file.eq_classes, used);
    for (auto& r : file.records) r.eq_class = new_id[r.eq_class];
    sort_and_merge(file.records);
}

RecordWriter::RecordWriter(const fs::path& path, const RecordFile& file) : file_(path) {
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
    count_offset_ = header.size();
    put_u64(header, 0);  // the record count, patched at commit
    file_.write(header);
    buffer_.reserve(kBuffer);
}

void RecordWriter::flush() {
    file_.write(std::string_view(reinterpret_cast<const char*>(buffer_.data()), buffer_.size() * sizeof(Record)));
    count_ += buffer_.size();
    buffer_.clear();
}

void RecordWriter::commit() {
    flush();
    file_.write_at(count_offset_, std::string_view(reinterpret_cast<const char*>(&count_), sizeof count_));
    file_.commit();
}

void write_records(const fs::path& path, const RecordFile& file) {
    RecordWriter writer(path, file);
    for (const auto& r : file.records) writer.add(r);
    writer.commit();
}

RecordReader::RecordReader(const fs::path& path) : path_(path), file_(std::fopen(path.c_str(), "rb"), &std::fclose) {
    if (!file_) throw IoError(path.string(), "open", errno);
    std::error_code ec_size;
    const std::uint64_t file_size = fs::file_size(path, ec_size);
    if (ec_size) throw IoError(path.string(), "stat", ec_size.value());
    // Counts in the header are checked against the bytes left before anything is allocated for
    // them: a corrupt count must not ask for terabytes (found by fuzzing).
    auto remaining = [&] { return file_size - std::min<std::uint64_t>(file_size, static_cast<std::uint64_t>(std::ftell(file_.get()))); };
    auto get = [&](void* dst, std::size_t bytes) {
        if (bytes && std::fread(dst, 1, bytes, file_.get()) != bytes) corrupt("truncated record file (in its header)");
    };
    auto u32 = [&] {
        std::uint32_t v;
        get(&v, sizeof v);
        return v;
    };
    auto string = [&] {
        const std::uint32_t n = u32();
        if (n > (1U << 16)) corrupt("corrupt record file (string too long)");
        std::string s(n, '\0');
        get(s.data(), n);
        return s;
    };
    char magic[sizeof kMagic];
    get(magic, sizeof magic);
    if (std::memcmp(magic, kMagic, sizeof magic) != 0) corrupt("not a kupffer record file");
    const std::uint32_t version = u32();
    if (version != kRecordFormatVersion)
        corrupt("record file format version " + std::to_string(version) + "; this kupffer reads version " +
                std::to_string(kRecordFormatVersion) + ": re-run `kupffer map`");
    header_.barcode_length = u32();
    header_.umi_length = u32();
    if (header_.barcode_length == 0 || header_.barcode_length > 32 || header_.umi_length == 0 || header_.umi_length > 32)
        corrupt("corrupt record file (barcode or UMI length)");
    const std::uint32_t n_genes = u32();
    if (std::uint64_t{n_genes} * 8 > remaining()) corrupt("corrupt record file (gene count)");
    for (std::uint32_t g = 0; g < n_genes; ++g) {
        header_.gene_ids.push_back(string());
        header_.gene_names.push_back(string());
    }
    const std::uint32_t n_classes = u32();
    if (std::uint64_t{n_classes} * 8 > remaining()) corrupt("corrupt record file (class count)");
    header_.eq_classes.resize(n_classes);
    for (auto& ec : header_.eq_classes) {
        const std::uint32_t n = u32();
        if (n == 0 || n > n_genes) corrupt("corrupt record file (equivalence class)");
        ec.resize(n);
        get(ec.data(), n * sizeof(std::uint32_t));
        for (auto g : ec)
            if (g >= n_genes) corrupt("corrupt record file (gene index)");
    }
    get(&total_, sizeof total_);
    if (total_ > (std::uint64_t{1} << 40)) corrupt("corrupt record file (record count)");
    if (total_ * sizeof(Record) > remaining())
        throw InputError(path_.string(), 0, "truncated record file: its header announces " + std::to_string(total_) + " records, the file holds " +
                                                std::to_string(remaining() / sizeof(Record)));
}

void RecordReader::corrupt(const std::string& what) const { throw InputError(path_.string(), 0, what); }

std::size_t RecordReader::read(std::vector<Record>& out, std::size_t max) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(max, total_ - read_));
    if (n == 0) {
        if (read_ == total_ && std::fgetc(file_.get()) != EOF) corrupt("corrupt record file (trailing bytes)");
        return 0;
    }
    const std::size_t first = out.size();
    out.resize(first + n);
    if (std::fread(out.data() + first, sizeof(Record), n, file_.get()) != n)
        throw InputError(path_.string(), 0, "truncated record file: it ends before record " + std::to_string(read_ + 1) + " of " +
                                                std::to_string(total_));
    const auto n_classes = header_.eq_classes.size();
    for (std::size_t i = first; i < out.size(); ++i) {
        const Record& r = out[i];
        const std::uint64_t number = read_ + (i - first) + 1;
        if (r.eq_class >= n_classes) corrupt("corrupt record file (class index in record " + std::to_string(number) + ")");
        if (number > 1 && !(last_ < r)) corrupt("record file is not sorted (at record " + std::to_string(number) + ")");
        last_ = r;
    }
    read_ += n;
    return n;
}

RecordFile read_records(const fs::path& path) {
    RecordReader reader(path);
    RecordFile file = reader.header();
    file.records.reserve(reader.size());
    while (reader.read(file.records, std::size_t{1} << 24) != 0) {
    }
    return file;
}

}  // namespace kupffer::align
