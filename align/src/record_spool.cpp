#include "kupffer/align/record_spool.hpp"

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>
#include <queue>

#include "kupffer/core/errors.hpp"

namespace kupffer::align {

namespace fs = std::filesystem;

namespace {

using FilePtr = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

FilePtr open_file(const fs::path& path, const char* mode) {
    FilePtr f(std::fopen(path.c_str(), mode), &std::fclose);
    if (!f) throw IoError(path.string(), std::string(mode).find('w') != std::string::npos ? "create" : "open", errno);
    return f;
}

void write_all(std::FILE* f, const fs::path& path, const Record* data, std::size_t n) {
    if (n && std::fwrite(data, sizeof(Record), n, f) != n) throw IoError(path.string(), "write", errno);
}

/// Sequential reader of a range of records, from a run file or from memory.
class Source {
public:
    Source(const Record* begin, const Record* end) : memory_(begin), memory_end_(end), file_(nullptr, &std::fclose) {}
    Source(const fs::path& path, std::uint64_t first, std::uint64_t count, std::size_t buffer)
        : path_(path), file_(open_file(path, "rb")), remaining_(count) {
        if (std::fseek(file_.get(), static_cast<long>(first * sizeof(Record)), SEEK_SET) != 0) throw IoError(path.string(), "read", errno);
        buffer_.reserve(std::max<std::size_t>(buffer, 1));
    }
    /// The next record, or false at the end.
    bool next(Record& r) {
        if (!file_) {
            if (memory_ == memory_end_) return false;
            r = *memory_++;
            return true;
        }
        if (position_ == buffer_.size()) {
            if (remaining_ == 0) return false;
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer_.capacity(), remaining_));
            buffer_.resize(n);
            if (std::fread(buffer_.data(), sizeof(Record), n, file_.get()) != n)
                throw InputError(path_.string(), 0, "temporary record run ended early");
            remaining_ -= n;
            position_ = 0;
        }
        r = buffer_[position_++];
        return true;
    }

private:
    const Record* memory_ = nullptr;
    const Record* memory_end_ = nullptr;
    fs::path path_;
    FilePtr file_;
    std::uint64_t remaining_ = 0;
    std::vector<Record> buffer_;
    std::size_t position_ = 0;
};

}  // namespace

RecordSpool::RecordSpool(fs::path prefix, std::size_t max_records) : prefix_(std::move(prefix)), max_records_(max_records) {
    if (max_records_) buffer_.reserve(max_records_);
}

RecordSpool::~RecordSpool() {
    try {
        background_.wait();  // before removing the runs it may be writing
    } catch (...) {
        // Already unwinding from an error, or finish() never called: the runs go regardless.
    }
    std::error_code ec;
    for (const auto& r : runs_) fs::remove(r.path, ec);
}

void RecordSpool::add(const Record& r) {
    if (!(r.barcode & kPendingBarcode)) {
        if (r.eq_class >= used_.size()) used_.resize(std::max<std::size_t>(r.eq_class + 1, 2 * used_.size()), 0);
        used_[r.eq_class] = 1;
    }
    buffer_.push_back(r);
    if (max_records_ && buffer_.size() >= max_records_) compact();
}

void RecordSpool::compact() {
    // Reads of one molecule fold into one record first; spill only if that frees too little.
    // The sort runs in the background on the full buffer while a fresh one fills; whether it
    // spills depends only on the records, never on timing.
    settle();
    compacting_.swap(buffer_);
    buffer_.clear();
    buffer_.reserve(max_records_);
    background_.run([this] {
        sort_and_merge(compacting_);
        if (compacting_.size() > max_records_ / 2) spill(compacting_);
    });
}

void RecordSpool::settle() {
    background_.wait();
    buffer_.insert(buffer_.end(), compacting_.begin(), compacting_.end());
    compacting_.clear();
}

std::size_t RecordSpool::runs() {
    settle();
    return runs_.size();
}

void RecordSpool::spill(std::vector<Record>& records) {
    Run run;
    run.path = prefix_.string() + ".run" + std::to_string(runs_.size()) + ".tmp";
    const auto first_pending = std::partition_point(records.begin(), records.end(), [](const Record& r) { return !(r.barcode & kPendingBarcode); });
    run.normal = static_cast<std::uint64_t>(first_pending - records.begin());
    run.pending = records.size() - run.normal;
    runs_.push_back(run);  // listed first, so the destructor removes a half-written run too
    FilePtr f = open_file(run.path, "wb");
    write_all(f.get(), run.path, records.data(), records.size());
    if (std::fclose(f.release()) != 0) throw IoError(run.path.string(), "write", errno);
    records.clear();
}

RecordFile RecordSpool::finish(RecordFile header, const std::vector<std::uint64_t>& resolved, const std::vector<char>& corrected,
                               const fs::path& path,
                               const std::function<void(const Record&, const std::vector<std::uint32_t>&)>& observe) {
    settle();
    sort_and_merge(buffer_);
    // 1. Resolve waiting barcodes: the tails of the spilled runs and of the buffer, in chunks of
    //    the budget; full chunks become runs of their own.
    const auto first_pending = std::partition_point(buffer_.begin(), buffer_.end(), [](const Record& r) { return !(r.barcode & kPendingBarcode); });
    std::vector<Record> waiting(first_pending, buffer_.end());
    buffer_.erase(first_pending, buffer_.end());
    std::vector<Record> chunk;
    const std::size_t spilled_runs = runs_.size();
    auto resolve = [&](const Record& r) {
        const std::uint64_t i = r.barcode & ~kPendingBarcode;
        if (resolved[i] == kDroppedBarcode) return;
        Record x = r;
        x.barcode = resolved[i];
        if (corrected[i]) x.flags |= kBarcodeCorrected;
        if (x.eq_class >= used_.size()) used_.resize(x.eq_class + 1, 0);
        used_[x.eq_class] = 1;
        chunk.push_back(x);
        if (max_records_ && chunk.size() >= max_records_) {
            sort_and_merge(chunk);
            spill(chunk);
        }
    };
    for (std::size_t i = 0; i < spilled_runs; ++i) {
        Source s(runs_[i].path, runs_[i].normal, runs_[i].pending, 1 << 15);
        for (Record r; s.next(r);) resolve(r);
    }
    for (const auto& r : waiting) resolve(r);
    std::vector<Record>().swap(waiting);
    sort_and_merge(chunk);

    // 2. Canonical class numbers: used classes ordered by their gene lists (equal lists merge).
    const auto new_id = renumber_classes(header.eq_classes, used_);
    header.records.clear();

    // 3. k-way merge of every source, one (barcode, UMI) group at a time: renumbered, sorted and
    //    merged within the group, which is where new class numbers can reorder records.
    std::vector<std::unique_ptr<Source>> sources;
    const std::size_t n_files = runs_.size();
    const std::size_t per_run = std::max<std::size_t>(1024, (max_records_ ? max_records_ : 1 << 20) / std::max<std::size_t>(n_files, 1));
    for (std::size_t i = 0; i < n_files; ++i)
        sources.push_back(std::make_unique<Source>(runs_[i].path, 0, runs_[i].normal, per_run));  // pending tails were resolved above
    sources.push_back(std::make_unique<Source>(buffer_.data(), buffer_.data() + buffer_.size()));
    sources.push_back(std::make_unique<Source>(chunk.data(), chunk.data() + chunk.size()));
    struct Head {
        Record record;
        std::size_t source;
        bool operator>(const Head& o) const noexcept {
            if (record.barcode != o.record.barcode) return record.barcode > o.record.barcode;
            if (record.umi != o.record.umi) return record.umi > o.record.umi;
            return source > o.source;
        }
    };
    std::priority_queue<Head, std::vector<Head>, std::greater<>> heads;
    for (std::size_t i = 0; i < sources.size(); ++i)
        if (Record r; sources[i]->next(r)) heads.push({r, i});

    std::optional<RecordWriter> writer;
    if (!path.empty()) writer.emplace(path, header);
    std::vector<Record> group;
    while (!heads.empty()) {
        const std::uint64_t barcode = heads.top().record.barcode, umi = heads.top().record.umi;
        group.clear();
        while (!heads.empty() && heads.top().record.barcode == barcode && heads.top().record.umi == umi) {
            Head h = heads.top();
            heads.pop();
            h.record.eq_class = new_id[h.record.eq_class];
            group.push_back(h.record);
            if (Record r; sources[h.source]->next(r)) heads.push({r, h.source});
        }
        sort_and_merge(group);
        for (const auto& r : group) {
            if (observe) observe(r, header.eq_classes[r.eq_class]);
            if (writer) writer->add(r);
            else header.records.push_back(r);
        }
    }
    if (writer) writer->commit();
    std::error_code ec;
    for (const auto& r : runs_) fs::remove(r.path, ec);
    runs_.clear();
    buffer_.clear();
    return header;
}

}  // namespace kupffer::align
