#pragma once
// The file between align and quant (cf. bustools' BUS): one small fixed record per distinct
// (barcode, UMI, equivalence class, flags) with its read count, sorted in that order, plus the
// equivalence classes (gene sets) and genes. Equivalence classes are numbered in the order of
// their sorted gene lists, so the file's bytes depend only on the reads, never on threads.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "kupffer/core/output_file.hpp"

namespace kupffer::align {

inline constexpr std::uint32_t kRecordFormatVersion = 1;

/// Record flags.
enum RecordFlag : std::uint32_t {
    kSpliceMask = 0x3,          ///< SpliceStatus in the low two bits
    kUmiHasN = 0x4,             ///< the UMI holds an N (stored with N read as A)
    kUmiHomopolymer = 0x8,      ///< the UMI is one base repeated
    kBarcodeCorrected = 0x10,   ///< the barcode was corrected (not an exact whitelist hit)
};

struct Record {
    std::uint64_t barcode = 0;  ///< 2-bit packed
    std::uint64_t umi = 0;      ///< 2-bit packed
    std::uint32_t eq_class = 0;
    std::uint32_t flags = 0;
    std::uint32_t count = 0;  ///< reads
    std::uint32_t reserved = 0;
    bool operator<(const Record& o) const noexcept {
        if (barcode != o.barcode) return barcode < o.barcode;
        if (umi != o.umi) return umi < o.umi;
        if (eq_class != o.eq_class) return eq_class < o.eq_class;
        return flags < o.flags;
    }
};
static_assert(sizeof(Record) == 32);

struct RecordFile {
    std::uint32_t barcode_length = 16;
    std::uint32_t umi_length = 12;
    std::vector<std::string> gene_ids;
    std::vector<std::string> gene_names;
    std::vector<std::vector<std::uint32_t>> eq_classes;  ///< ascending gene indices each
    std::vector<Record> records;                        ///< sorted, distinct keys
};

/// Sorts records, merges equal keys (summing counts) and renumbers equivalence classes in the
/// order of their gene lists (dropping unused ones).
void canonicalize(RecordFile& file);

/// Sorts records and merges equal keys, summing their counts.
void sort_and_merge(std::vector<Record>& records);

/// The canonical numbering of equivalence classes: the `used` ones in the order of their gene
/// lists, equal lists merged. Replaces `classes` and returns each old class's new number.
std::vector<std::uint32_t> renumber_classes(std::vector<std::vector<std::uint32_t>>& classes, const std::vector<char>& used);

/// Writes atomically; the file must be canonical (see canonicalize).
void write_records(const std::filesystem::path& path, const RecordFile& file);

/// Writes a record file record by record, atomically: the header (lengths, genes, classes of
/// `header`; its records are ignored) first, the record count patched in at commit. Records must
/// come in canonical order.
class RecordWriter {
public:
    RecordWriter(const std::filesystem::path& path, const RecordFile& header);
    void add(const Record& record) {
        buffer_.push_back(record);
        if (buffer_.size() == kBuffer) flush();
    }
    void commit();

private:
    static constexpr std::size_t kBuffer = 1 << 15;
    void flush();
    AtomicFile file_;
    std::vector<Record> buffer_;
    std::uint64_t count_ = 0, count_offset_ = 0;
};
/// Reads and validates; InputError naming the file for anything corrupt or truncated.
RecordFile read_records(const std::filesystem::path& path);

/// Streams a record file: genes and classes on opening, then records a block at a time, checked
/// as they come (order, class indices, truncation), so a file larger than memory can be counted.
class RecordReader {
public:
    explicit RecordReader(const std::filesystem::path& path);
    /// The file's lengths, genes and classes; its `records` stay empty.
    const RecordFile& header() const noexcept { return header_; }
    std::uint64_t size() const noexcept { return total_; }
    /// Appends up to `max` records to `out` and returns how many (0 once all are read, after
    /// checking that nothing trails them).
    std::size_t read(std::vector<Record>& out, std::size_t max);

private:
    [[noreturn]] void corrupt(const std::string& what) const;
    std::filesystem::path path_;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
    RecordFile header_;
    std::uint64_t total_ = 0, read_ = 0;
    Record last_{};
};

}  // namespace kupffer::align
