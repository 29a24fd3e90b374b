#include "kupffer/align/record_spool.hpp"

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>
#include <span>

#include "kupffer/core/errors.hpp"
#include "kupffer/core/read_at.hpp"

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

RecordSpool::RecordSpool(fs::path prefix, std::size_t max_records, int threads)
    : prefix_(std::move(prefix)),
      max_records_(max_records),
      threads_(threads),
      part_records_(max_records ? std::max<std::size_t>(max_records / 16, 64) : std::size_t{1} << 16),
      sample_stride_(std::clamp<std::size_t>(part_records_ / 8, 1, 1024)) {
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
    for (std::uint64_t i = 0; i < run.normal; i += sample_stride_) run.samples.push_back(records[i].barcode);
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
    // 1. The buffer: waiting records aside; the rest sorted in fixed pieces in parallel, each a
    //    sorted source of its own for the merge.
    const auto first_pending = std::partition(buffer_.begin(), buffer_.end(), [](const Record& r) { return !(r.barcode & kPendingBarcode); });
    std::vector<Record> waiting(first_pending, buffer_.end());
    buffer_.erase(first_pending, buffer_.end());
    //    (Sorted in place: equal keys merge later, with the rest of their molecule.)
    std::vector<std::span<const Record>> pieces((buffer_.size() + 4 * part_records_ - 1) / (4 * part_records_));
    parallel_chunks(buffer_.size(), 4 * part_records_, threads_, [&](std::size_t i, std::size_t begin, std::size_t end) {
        std::sort(buffer_.begin() + static_cast<std::ptrdiff_t>(begin), buffer_.begin() + static_cast<std::ptrdiff_t>(end));
        pieces[i] = std::span<const Record>(buffer_.data() + begin, end - begin);
    });

    // 2. Resolve waiting barcodes: the tails of the spilled runs and of the buffer, in chunks of
    //    the budget; full chunks become runs of their own.
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
    pieces.emplace_back(chunk);

    // 3. Canonical class numbers: used classes ordered by their gene lists (equal lists merge).
    const auto new_id = renumber_classes(header.eq_classes, used_);
    header.records.clear();

    // 4. Every source (runs on disk, sorted pieces in memory) is cut at the same barcodes into
    //    ranges of about part_records_ records; ranges merge in parallel and are written in order.
    std::vector<FilePtr> files;
    for (const auto& run : runs_) files.push_back(open_file(run.path, "rb"));
    auto read_run = [&](std::size_t r, std::uint64_t first, std::uint64_t count, Record* into) {
        read_at(fileno(files[r].get()), runs_[r].path, into, static_cast<std::size_t>(count * sizeof(Record)), first * sizeof(Record),
                "temporary record run ended early");
    };
    const std::size_t n_runs = runs_.size(), n_sources = n_runs + pieces.size();
    auto size_of = [&](std::size_t s) -> std::uint64_t { return s < n_runs ? runs_[s].normal : pieces[s - n_runs].size(); };
    auto by_barcode = [](const Record& r, std::uint64_t b) { return r.barcode < b; };
    // Where barcode b starts in source s: its first record with a barcode >= b.
    auto lower = [&](std::size_t s, std::uint64_t b) -> std::uint64_t {
        if (s >= n_runs) {
            const auto& v = pieces[s - n_runs];
            return static_cast<std::uint64_t>(std::lower_bound(v.begin(), v.end(), b, by_barcode) - v.begin());
        }
        const Run& run = runs_[s];
        const auto j = static_cast<std::uint64_t>(std::lower_bound(run.samples.begin(), run.samples.end(), b) - run.samples.begin());
        if (j == 0) return 0;  // samples[j - 1] < b <= samples[j]: it starts in between
        const std::uint64_t lo = (j - 1) * sample_stride_ + 1, hi = std::min<std::uint64_t>(j * sample_stride_, run.normal);
        std::vector<Record> block(hi - lo);
        read_run(s, lo, hi - lo, block.data());
        return lo + static_cast<std::uint64_t>(std::lower_bound(block.begin(), block.end(), b, by_barcode) - block.begin());
    };
    // Cuts: every (part_records_ / stride)-th of the barcodes sampled every stride records.
    std::vector<std::uint64_t> samples, cuts;
    for (const auto& run : runs_) samples.insert(samples.end(), run.samples.begin(), run.samples.end());
    for (const auto& v : pieces)
        for (std::size_t i = 0; i < v.size(); i += sample_stride_) samples.push_back(v[i].barcode);
    std::sort(samples.begin(), samples.end());
    for (std::size_t i = part_records_ / sample_stride_; i < samples.size(); i += part_records_ / sample_stride_)
        if (cuts.empty() || samples[i] > cuts.back()) cuts.push_back(samples[i]);

    struct Range {
        std::vector<std::uint64_t> begin, end;  // per source
        std::vector<Record> records;
    };
    std::vector<std::uint64_t> reached(n_sources, 0);
    std::size_t next_cut = 0;
    std::optional<RecordWriter> writer;
    if (!path.empty()) writer.emplace(path, header);
    auto by_molecule = [](const Record& a, const Record& b) { return a.barcode != b.barcode ? a.barcode < b.barcode : a.umi < b.umi; };
    // Ranges in flight: two per thread, at most 8 (each holds two copies of ~budget/16 records),
    // so memory stays within about the budget however many threads there are.
    ordered_pipeline<Range>(
        threads_, std::min<std::size_t>(8, 2 * static_cast<std::size_t>(resolve_threads(threads_))),
        [&]() -> std::optional<Range> {
            if (next_cut > cuts.size()) return std::nullopt;
            Range range;
            range.begin = reached;
            for (std::size_t s = 0; s < n_sources; ++s) reached[s] = next_cut < cuts.size() ? lower(s, cuts[next_cut]) : size_of(s);
            range.end = reached;
            ++next_cut;
            return range;
        },
        [&](Range& range) {
            // The sources' slices, merged pairwise by (barcode, UMI); then each molecule's records
            // are renumbered, sorted and merged (new class numbers can reorder them).
            std::vector<std::size_t> bounds{0};
            for (std::size_t s = 0; s < n_sources; ++s) bounds.push_back(bounds.back() + (range.end[s] - range.begin[s]));
            std::vector<Record> a(bounds.back()), b(bounds.back());
            for (std::size_t s = 0; s < n_sources; ++s) {
                const std::uint64_t n = range.end[s] - range.begin[s];
                if (n == 0) continue;
                if (s < n_runs) read_run(s, range.begin[s], n, a.data() + bounds[s]);
                else std::copy_n(pieces[s - n_runs].data() + range.begin[s], n, a.data() + bounds[s]);
            }
            while (bounds.size() > 2) {
                std::vector<std::size_t> merged{0};
                for (std::size_t i = 0; i + 1 < bounds.size(); i += 2) {
                    const Record *x = a.data() + bounds[i], *y = a.data() + bounds[i + 1];
                    if (i + 2 < bounds.size()) {
                        std::merge(x, y, y, static_cast<const Record*>(a.data() + bounds[i + 2]), b.data() + bounds[i], by_molecule);
                        merged.push_back(bounds[i + 2]);
                    } else {
                        std::copy(x, y, b.data() + bounds[i]);
                        merged.push_back(bounds[i + 1]);
                    }
                }
                a.swap(b);
                bounds.swap(merged);
            }
            std::vector<Record>().swap(b);
            std::size_t out = 0;
            for (std::size_t i = 0; i < a.size();) {
                std::size_t j = i;
                for (; j < a.size() && a[j].barcode == a[i].barcode && a[j].umi == a[i].umi; ++j) a[j].eq_class = new_id[a[j].eq_class];
                std::sort(a.begin() + static_cast<std::ptrdiff_t>(i), a.begin() + static_cast<std::ptrdiff_t>(j));
                for (std::size_t k = i; k < j; ++k) {
                    if (k > i && !(a[out - 1] < a[k])) a[out - 1].count += a[k].count;
                    else a[out++] = a[k];
                }
                i = j;
            }
            a.resize(out);
            range.records = std::move(a);
        },
        [&](Range& range) {
            for (const auto& r : range.records) {
                if (observe) observe(r, header.eq_classes[r.eq_class]);
                if (writer) writer->add(r);
                else header.records.push_back(r);
            }
            std::vector<Record>().swap(range.records);
        });
    if (writer) writer->commit();
    files.clear();
    std::vector<Record>().swap(buffer_);
    std::error_code ec;
    for (const auto& r : runs_) fs::remove(r.path, ec);
    runs_.clear();
    return header;
}

}  // namespace kupffer::align
