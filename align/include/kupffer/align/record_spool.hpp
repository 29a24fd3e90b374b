#pragma once
// The records of one sample on their way from mapping to records.kpf, in bounded memory. Records
// arrive in input order; beyond a budget they are sorted, merged and spilled as runs to temporary
// files. At the end, records whose barcode waited for correction are resolved (in budget-sized
// chunks, themselves spilled), equivalence classes are renumbered canonically, and all sources are
// cut at the same barcodes into ranges that merge in parallel and stream, in order, the canonical
// records (exactly what canonicalize() makes of the same records) to the record file. A full
// buffer is sorted and spilled in the background (BackgroundTask) while the next one fills, so the
// caller's pipeline does not stall behind the sort. Memory is about twice the budget, however
// large the run and however many threads.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <vector>

#include "kupffer/align/records.hpp"
#include "kupffer/core/parallel.hpp"

namespace kupffer::align {

/// A record whose barcode waits for correction carries this bit plus its index among the waiting
/// barcodes: unique, so it never merges with another record, and sorted after every real barcode.
inline constexpr std::uint64_t kPendingBarcode = std::uint64_t{1} << 63;
/// A resolved barcode that drops its records (rejected by correction).
inline constexpr std::uint64_t kDroppedBarcode = ~std::uint64_t{0};

class RecordSpool {
public:
    /// Runs go to `<prefix>.runN.tmp` once `max_records` are held (0: never spill). `threads`
    /// (0: all hardware threads) sort and merge at the end; the records never depend on them.
    RecordSpool(std::filesystem::path prefix, std::size_t max_records, int threads = 1);
    ~RecordSpool();
    RecordSpool(const RecordSpool&) = delete;
    RecordSpool& operator=(const RecordSpool&) = delete;

    void add(const Record& record);
    /// Runs spilled so far (waits for a spill in progress).
    std::size_t runs();

    /// Replaces each pending barcode i by `resolved[i]` (kDroppedBarcode drops the record; with
    /// `corrected[i]` it gains kBarcodeCorrected), renumbers `header.eq_classes` canonically and
    /// streams the canonical records: to `path` as a record file (atomically), or, with an empty
    /// path, into the returned file's records. `observe` sees every final record with its genes.
    /// Returns the header with the canonical classes (and the records when kept in memory).
    RecordFile finish(RecordFile header, const std::vector<std::uint64_t>& resolved, const std::vector<char>& corrected,
                      const std::filesystem::path& path,
                      const std::function<void(const Record&, const std::vector<std::uint32_t>&)>& observe = {});

private:
    struct Run {
        std::filesystem::path path;
        std::uint64_t normal = 0, pending = 0;  ///< records with a real barcode, then waiting ones
        std::vector<std::uint64_t> samples;    ///< barcodes of records 0, stride, 2 stride, ... < normal
    };
    void compact();
    void settle();  // waits for the background compaction; records it kept return to buffer_
    void spill(std::vector<Record>& records);
    std::filesystem::path prefix_;
    std::size_t max_records_;
    int threads_;
    std::size_t part_records_;   ///< records per barcode range of the final merge (about)
    std::size_t sample_stride_;  ///< a run keeps every stride-th barcode to find ranges in it
    std::vector<Record> buffer_;
    std::vector<Record> compacting_;  ///< the previous full buffer, being sorted in the background
    BackgroundTask background_;
    std::vector<Run> runs_;
    std::vector<char> used_;  ///< classes used by records with a real barcode
};

}  // namespace kupffer::align
