#include "kupffer/align/map_sample.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

#include "chemistry_detection.hpp"
#include "kupffer/align/bam_output.hpp"
#include "kupffer/align/record_spool.hpp"
#include "kupffer/align/umi_corrections.hpp"
#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/fastq_reader.hpp"
#include "kupffer/core/hts.hpp"
#include "kupffer/core/parallel.hpp"

namespace kupffer::align {

namespace fs = std::filesystem;
using internal::detect_chemistry;
using internal::MateStream;
using internal::segment;
using internal::whitelist_for;

namespace {

constexpr char kQ30 = 33 + 30;

std::uint64_t count_q30(std::string_view qual) {
    std::uint64_t n = 0;
    for (char q : qual) n += q >= kQ30;
    return n;
}

void check_length(const FastqReader& reader, std::string_view seq, const Chemistry& chem, int read) {
    const std::uint32_t need = chem.min_read_length(read);
    if (seq.size() < need)
        throw InputError(reader.path().string(), reader.record_line() + 1,
                         "record " + std::to_string(reader.record_number()) + " is " + std::to_string(seq.size()) +
                             " bases; chemistry " + chem.name + " needs at least " + std::to_string(need) + " in R" +
                             std::to_string(read + 1));
}

/// A barcode that is not an exact whitelist hit, kept with its qualities until the whole run's
/// exact-hit counts (the correction priors) are known.
struct PendingBarcode {
    std::array<char, 32> sequence{};
    std::array<char, 32> quality{};
    std::uint32_t length = 0;
};

struct Batch {
    std::vector<FastqRecord> r1, r2;  // views into the reader buffers `held` keeps alive
    std::vector<std::shared_ptr<const char[]>> held;
    std::vector<std::size_t> lanes;
    bool last = false;  // the R1 stream ended with this batch
    double fraction_read = 0;  // of the sample's R1 bytes, after this batch (progress)
    std::vector<Record> records;
    std::vector<std::vector<std::uint32_t>> classes;  // batch-local equivalence classes
    std::vector<std::uint32_t> exact_hits;            // whitelist indices of exact barcodes
    std::vector<std::uint64_t> observed;              // raw barcodes (whitelist-free mode)
    std::vector<PendingBarcode> pending;
    SampleMetrics metrics;
    std::vector<LaneMetrics> lane_metrics;  // indexed by the sample's lane index
    std::vector<BamRecordPtr> bam;          // one per read pair, in input order (with --bam)

    std::size_t size() const noexcept { return r1.size(); }
};

/// Base-quality tallies, kept under the same names by a sample and by each of its lanes.
template <class Into, class From>
void add_qualities(Into& into, const From& m) {
    into.barcode_bases += m.barcode_bases;
    into.barcode_q30 += m.barcode_q30;
    into.umi_bases += m.umi_bases;
    into.umi_q30 += m.umi_q30;
    into.cdna_bases += m.cdna_bases;
    into.cdna_q30 += m.cdna_q30;
}

/// Adds what a batch counts (reads, barcodes rejected before mapping); base qualities are tallied
/// per lane and summed from the lanes; mapping metrics come from the final records instead.
void add(SampleMetrics& into, const SampleMetrics& m) {
    into.read_pairs += m.read_pairs;
    into.barcode_rejected += m.barcode_rejected;
}

void add(LaneMetrics& into, const LaneMetrics& m) {
    into.read_pairs += m.read_pairs;
    into.barcode_exact += m.barcode_exact;
    into.cdna_mapped += m.cdna_mapped;
    add_qualities(into, m);
}

/// The chemistry: detected from the sample's first reads ("auto"), or the preset given.
const Chemistry& choose_chemistry(const SampleFastqs& sample, const Index& index, const MapSampleOptions& options,
                                  WhitelistCache& whitelists, SampleMetrics& metrics) {
    const Chemistry* chem = nullptr;
    if (options.chemistry == "auto") {
        auto d = detect_chemistry(sample, index, options, whitelists);
        chem = d.chemistry;
        metrics.chemistry_reason = "detected: " + d.reason;
        metrics.candidates = std::move(d.candidates);
    } else {
        chem = &chemistry_preset(options.chemistry);
        metrics.chemistry_reason = "given";
    }
    metrics.chemistry = chem->name;
    if (chem->barcode.read != 0 || chem->umi.read != 0 || chem->cdna.read != 1)
        throw OptionError("chemistry " + chem->name + ": only barcode and UMI in R1 with cDNA in R2 are supported");
    if (chem->barcode.length > 31) throw OptionError("chemistry " + chem->name + ": barcodes longer than 31 bases are not supported");
    return *chem;
}

/// The whitelist of `chem` from the options, or nullptr when it is to be inferred from the reads.
const Whitelist* choose_whitelist(const MapSampleOptions& options, const Chemistry& chem, WhitelistCache& whitelists,
                                  SampleMetrics& metrics) {
    const auto wl_path = whitelist_for(options.whitelist, chem);
    if (!options.whitelist.empty() && !wl_path)
        throw OptionError(options.whitelist.string() + ": no whitelist for chemistry " + chem.name + " (" + chem.whitelist + ".txt[.gz])");
    if (!wl_path) return nullptr;
    const Whitelist* whitelist = &whitelists.get(*wl_path);
    if (whitelist->length() != chem.barcode.length)
        throw OptionError(wl_path->string() + ": barcodes of " + std::to_string(whitelist->length()) + " bases, but chemistry " + chem.name +
                          " has " + std::to_string(chem.barcode.length));
    metrics.whitelist = wl_path->string();
    return whitelist;
}

/// A mapper's working state for one batch (reused buffers, batch-local class numbers).
struct BatchScratch {
    std::unique_ptr<Mapper> mapper;
    std::map<std::vector<std::uint32_t>, std::uint32_t> classes;  // multi-gene lists
    std::unordered_map<std::uint32_t, std::uint32_t> single;      // one-gene classes (most reads), by hash
    std::string bam;
    MapResult pair;  // a paired-end read's combined result
    std::vector<std::uint32_t> common;
};

/// One sample's pass over its reads in one ordered pipeline — read R1, pair R2, map, collect in
/// input order — then barcode correction against the whole run's counts (as Cell Ranger does, so
/// R1 is decompressed once) and the final records. Without a whitelist every barcode waits and
/// the whitelist is inferred from the observed counts first.
class SampleMapping {
public:
    SampleMapping(const SampleFastqs& sample, const Index& index, const MapSampleOptions& options, const Chemistry& chem,
                  const Whitelist* whitelist, MapSampleResults& results)
        : sample_(sample), index_(index), options_(options), chem_(chem), whitelist_(whitelist), infer_(whitelist == nullptr),
          antisense_(chem.strand == Strand::Antisense), threads_(resolve_threads(options.threads)), results_(results),
          metrics_(results.metrics), spool_(options.records, options.records.empty() ? 0 : options.max_records_in_memory, options.threads),
          exact_counts_(whitelist ? whitelist->size() : 0, 0), r1_stream_(sample, 0), r2_stream_(sample, 1) {
        out_.barcode_length = chem.barcode.length;
        out_.umi_length = chem.umi.length;
        out_.gene_ids = index.gene_ids();
        out_.gene_names = index.gene_names();
        if (!options.bam.empty())
            bam_.emplace(options.bam, make_bam_header(index, sample.name, options.command_line).get(), options.bam_sort_memory, threads_);
    }

    void run() {
        ordered_pipeline<Batch>(
            threads_, static_cast<std::size_t>(threads_) * 3, [&] { return read_r1(); }, [&](Batch& b) { pair_r2(b); },
            [&](Batch& b) { map_batch(b); }, [&](Batch& b) { collect(b); });
        resolve_barcodes();
        finish_records();
        if (bam_) finish_bam();
    }

private:
    std::optional<Batch> read_r1();
    void pair_r2(Batch& batch);
    void map_batch(Batch& batch);
    void map_read(Batch& batch, std::size_t i, std::uint64_t raw, int n_count, BatchScratch& scratch);
    void collect(Batch& batch);
    void resolve_barcodes();
    void finish_records();
    void finish_bam();

    const SampleFastqs& sample_;
    const Index& index_;
    const MapSampleOptions& options_;
    const Chemistry& chem_;
    const Whitelist* whitelist_;
    Whitelist inferred_;
    const bool infer_, antisense_;
    const int threads_;
    MapSampleResults& results_;
    SampleMetrics& metrics_;
    RecordFile out_;  // header: lengths, genes, classes as they come; the records go to the spool
    RecordSpool spool_;
    std::map<std::vector<std::uint32_t>, std::uint32_t> class_ids_;
    std::vector<std::uint64_t> exact_counts_;
    std::unordered_map<std::uint64_t, std::uint64_t> observed_;
    std::vector<PendingBarcode> pending_;
    std::vector<std::uint64_t> resolved_;  // per pending barcode: its whitelist barcode, or kDroppedBarcode
    std::vector<char> corrected_;
    std::optional<SortedBamWriter> bam_;
    std::optional<UmiCorrections> umi_corrections_;
    std::mutex pool_guard_;
    std::vector<std::unique_ptr<Mapper>> pool_;
    MateStream r1_stream_, r2_stream_;
    bool done_ = false;
};

std::optional<Batch> SampleMapping::read_r1() {
    if (done_) return std::nullopt;
    Batch batch;
    FastqRecord a;
    std::size_t lane = 0;
    batch.r1.reserve(options_.batch_size);
    batch.lanes.reserve(options_.batch_size);
    while (batch.size() < options_.batch_size) {
        if (!r1_stream_.next(a, lane)) {
            done_ = batch.last = true;
            break;
        }
        check_length(r1_stream_.reader(), a.sequence, chem_, 0);
        r1_stream_.reader().hold_buffer(batch.held);
        batch.r1.push_back(a);
        batch.lanes.push_back(lane);
    }
    if (batch.size() == 0 && !batch.last) return std::nullopt;
    batch.fraction_read = batch.last ? 1.0 : r1_stream_.fraction_read();
    return batch;
}

void SampleMapping::pair_r2(Batch& batch) {
    FastqRecord b;
    std::size_t lane = 0;
    batch.r2.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (!r2_stream_.next(b, lane) || lane != batch.lanes[i])
            throw InputError(sample_.lanes[batch.lanes[i]].r2.string(), 0, "has fewer records than its R1 file (R1 and R2 out of step)");
        const auto& reader = r2_stream_.reader();  // the current lane's (each lane has its own reader)
        if (b.name != batch.r1[i].name)
            throw InputError(reader.path().string(), reader.record_line(),
                             "record " + std::to_string(reader.record_number()) + ": read name '" + std::string(b.name) +
                                 "' does not match R1's '" + std::string(batch.r1[i].name) + "' (R1 and R2 out of step)");
        reader.hold_buffer(batch.held);
        batch.r2.push_back(b);
    }
    if (batch.last && r2_stream_.next(b, lane))
        throw InputError(r2_stream_.reader().path().string(), r2_stream_.reader().record_line(),
                         "has more records than its R1 file (R1 and R2 out of step)");
}

void SampleMapping::map_batch(Batch& batch) {
    BatchScratch scratch;
    {
        std::lock_guard lock(pool_guard_);
        if (!pool_.empty()) {
            scratch.mapper = std::move(pool_.back());
            pool_.pop_back();
        }
    }
    if (!scratch.mapper) scratch.mapper = std::make_unique<Mapper>(index_, options_.mapping);
    batch.lane_metrics.assign(sample_.lanes.size(), LaneMetrics{});
    if (bam_) batch.bam.reserve(batch.size());
    // Packed barcodes first, so whitelist lookups can be prefetched a few reads ahead.
    const std::size_t n = batch.size();
    std::vector<std::uint64_t> raws(n);
    std::vector<std::uint8_t> n_counts(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t raw = 0;
        std::uint8_t ns = 0;
        for (char c : segment(batch.r1[i].sequence, chem_.barcode)) {
            std::uint8_t code = dna::encode_base(c);
            if (code == dna::kInvalid) ++ns, code = 0;
            raw = (raw << 2) | code;
        }
        raws[i] = raw;
        n_counts[i] = ns;
    }
    constexpr std::size_t kBucketAhead = 16, kEntriesAhead = 8;
    for (std::size_t i = 0; i < n; ++i) {
        if (!infer_) {
            if (i + kBucketAhead < n) whitelist_->prefetch_bucket(raws[i + kBucketAhead]);
            if (i + kEntriesAhead < n) whitelist_->prefetch_entries(raws[i + kEntriesAhead]);
        }
        map_read(batch, i, raws[i], n_counts[i], scratch);
    }
    batch.r1 = {};  // the FASTQ bytes go back as soon as the batch is mapped
    batch.r2 = {};
    batch.held = {};
    std::lock_guard lock(pool_guard_);
    pool_.push_back(std::move(scratch.mapper));
}

/// Read pair i of the batch: its qualities tallied, its barcode looked up (or left pending), its
/// cDNA (and in paired-end chemistries its mate) mapped, and a batch-local record made.
void SampleMapping::map_read(Batch& batch, std::size_t i, std::uint64_t raw, int n_count, BatchScratch& scratch) {
    const auto r1 = batch.r1[i].sequence, q1 = batch.r1[i].quality;
    const auto r2 = batch.r2[i].sequence, q2 = batch.r2[i].quality;
    ++batch.metrics.read_pairs;
    const auto bc = segment(r1, chem_.barcode), bq = segment(q1, chem_.barcode);
    const auto umi = segment(r1, chem_.umi), uq = segment(q1, chem_.umi);
    const auto cdna = segment(r2, chem_.cdna), cq = segment(q2, chem_.cdna);
    LaneMetrics& lane = batch.lane_metrics[batch.lanes[i]];
    ++lane.read_pairs;
    lane.barcode_bases += bq.size();
    lane.barcode_q30 += count_q30(bq);
    lane.umi_bases += uq.size();
    lane.umi_q30 += count_q30(uq);
    lane.cdna_bases += cq.size();
    lane.cdna_q30 += count_q30(cq);

    // One BAM record per read pair, whatever became of it.
    auto emit = [&](const MapResult* mapped, std::string_view corrected, std::int64_t pending_index, bool umi_valid) {
        if (!bam_) return;
        BamRecordPtr rec = make_bam_record();
        fill_bam_record(rec.get(), index_,
                        {.name = batch.r1[i].name, .cdna = cdna, .cdna_quality = cq, .barcode = bc, .barcode_quality = bq,
                         .umi = umi, .umi_quality = uq, .umi_valid = umi_valid, .mapped = mapped,
                         .mapped_reverse_complement = antisense_, .corrected_barcode = corrected, .pending = pending_index},
                        scratch.bam);
        batch.bam.push_back(std::move(rec));
    };
    if (n_count > 1) {  // beyond repair: no need to map it
        ++batch.metrics.barcode_rejected;
        emit(nullptr, {}, -1, false);
        return;
    }
    std::optional<std::uint32_t> exact;
    if (!infer_ && n_count == 0) exact = whitelist_->find(raw);
    if (exact) {
        ++lane.barcode_exact;
        batch.exact_hits.push_back(*exact);
    } else {
        if (infer_ && n_count == 0) batch.observed.push_back(raw);
        PendingBarcode p;
        p.length = static_cast<std::uint32_t>(bc.size());
        std::copy(bc.begin(), bc.end(), p.sequence.begin());
        std::copy(bq.begin(), bq.end(), p.quality.begin());
        batch.pending.push_back(p);
    }

    std::uint32_t flags = 0;
    std::uint64_t packed_umi = 0;
    bool homopolymer = true;
    for (char c : umi) {
        std::uint8_t code = dna::encode_base(c);
        if (code == dna::kInvalid) flags |= kUmiHasN, code = 0;
        packed_umi = (packed_umi << 2) | code;
        homopolymer &= c == umi[0];
    }
    if (homopolymer) flags |= kUmiHomopolymer;
    const MapResult* result = &scratch.mapper->map(cdna, antisense_);
    emit(result, exact ? bc : std::string_view(), exact ? -1 : static_cast<std::int64_t>(batch.pending.size() - 1),
         !(flags & (kUmiHasN | kUmiHomopolymer)));
    if (chem_.mate_cdna) {
        // Paired-end: the mate (other strand) must agree; the pair's genes are both mates' common
        // genes, or one mate's when the other maps nowhere.
        MapResult& pair = scratch.pair;
        pair = *result;
        const MapResult& mate = scratch.mapper->map(segment(r1, *chem_.mate_cdna), !antisense_);
        if (!pair.mapped) {
            pair = mate;
        } else if (mate.mapped) {
            scratch.common.clear();
            std::set_intersection(pair.genes.begin(), pair.genes.end(), mate.genes.begin(), mate.genes.end(), std::back_inserter(scratch.common));
            pair.genes = scratch.common;
            pair.mapped = !scratch.common.empty();
            if (mate.status != pair.status)
                pair.status = mate.status == SpliceStatus::Unspliced || pair.status == SpliceStatus::Unspliced ? SpliceStatus::Unspliced
                                                                                                                : SpliceStatus::Ambiguous;
        }
        result = &pair;
    }
    const MapResult& mapped = *result;
    if (!mapped.mapped) return;
    ++lane.cdna_mapped;
    const auto next_class = static_cast<std::uint32_t>(batch.classes.size());
    std::uint32_t class_id = next_class;
    bool fresh = false;
    if (mapped.genes.size() == 1) {
        const auto [it, added] = scratch.single.try_emplace(mapped.genes[0], next_class);
        class_id = it->second, fresh = added;
    } else {
        const auto [it, added] = scratch.classes.try_emplace(mapped.genes, next_class);
        class_id = it->second, fresh = added;
    }
    if (fresh) batch.classes.push_back(mapped.genes);
    const std::uint64_t barcode = exact ? whitelist_->barcode(*exact) : kPendingBarcode | (batch.pending.size() - 1);
    batch.records.push_back({barcode, packed_umi, class_id, flags | static_cast<std::uint32_t>(mapped.status), 1, 0});
}

/// In input order: batch-local classes and pending barcodes get their run-wide numbers, records go
/// to the spool and BAM records to the writer; counts and metrics add up.
void SampleMapping::collect(Batch& batch) {
    std::vector<std::uint32_t> global(batch.classes.size());
    for (std::size_t c = 0; c < batch.classes.size(); ++c) {
        auto [it, fresh] = class_ids_.try_emplace(batch.classes[c], static_cast<std::uint32_t>(out_.eq_classes.size()));
        if (fresh) out_.eq_classes.push_back(batch.classes[c]);
        global[c] = it->second;
    }
    const std::uint64_t pending_offset = pending_.size();
    for (auto r : batch.records) {
        r.eq_class = global[r.eq_class];
        if (r.barcode & kPendingBarcode) r.barcode += pending_offset;
        spool_.add(r);
    }
    for (auto& rec : batch.bam) {
        if (std::uint8_t* zp = bam_aux_get(rec.get(), "zp"))
            bam_aux_update_int(rec.get(), "zp", bam_aux2i(zp) + static_cast<std::int64_t>(pending_offset));
        bam_->add(std::move(rec));
    }
    pending_.insert(pending_.end(), batch.pending.begin(), batch.pending.end());
    for (auto hit : batch.exact_hits) ++exact_counts_[hit];
    for (auto raw : batch.observed) ++observed_[raw];
    metrics_.barcode_exact += batch.exact_hits.size();
    add(metrics_, batch.metrics);
    for (std::size_t l = 0; l < batch.lane_metrics.size(); ++l) {
        add(metrics_.lanes[l], batch.lane_metrics[l]);
        add_qualities(metrics_, batch.lane_metrics[l]);  // the sample's base qualities are its lanes'
    }
    if (options_.on_progress) options_.on_progress(metrics_.read_pairs, batch.fraction_read);
}

/// The waiting barcodes, now that the run's barcode abundances are known (the whitelist inferred
/// from them first when none was given).
void SampleMapping::resolve_barcodes() {
    if (infer_) {
        std::vector<std::pair<std::uint64_t, std::uint64_t>> list(observed_.begin(), observed_.end());
        inferred_ = infer_whitelist(list, chem_.barcode.length, options_.infer);
        if (inferred_.size() == 0)
            throw InputError(sample_.lanes[0].r1.string(), 0, "no barcode has " + std::to_string(options_.infer.min_reads) +
                                                                 " reads: cannot infer a whitelist for sample " + sample_.name);
        whitelist_ = &inferred_;
        metrics_.whitelist = "inferred";
        exact_counts_.assign(inferred_.size(), 0);
        for (const auto& [bc, reads] : list)
            if (auto hit = inferred_.find(bc)) exact_counts_[*hit] += reads;
    }
    metrics_.whitelist_size = whitelist_->size();
    const BarcodeCorrector corrector(*whitelist_, std::move(exact_counts_), options_.correction);
    resolved_.assign(pending_.size(), kDroppedBarcode);
    corrected_.assign(pending_.size(), 0);
    std::vector<BarcodeStatus> outcome(pending_.size(), BarcodeStatus::Rejected);
    parallel_chunks(pending_.size(), 1 << 14, threads_, [&](std::size_t, std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {  // each barcode on its own: any split gives the same
            const auto& p = pending_[i];
            const BarcodeMatch match = corrector.correct({p.sequence.data(), p.length}, {p.quality.data(), p.length});
            outcome[i] = match.status;
            if (match.status == BarcodeStatus::Rejected) continue;
            resolved_[i] = whitelist_->barcode(match.index);
            corrected_[i] = match.status == BarcodeStatus::Corrected;
        }
    });
    for (const auto st : outcome)
        (st == BarcodeStatus::Rejected ? metrics_.barcode_rejected : st == BarcodeStatus::Exact ? metrics_.barcode_exact : metrics_.barcode_corrected)++;
    std::vector<PendingBarcode>().swap(pending_);
}

/// Final records: resolved barcodes, canonical classes, sorted and merged; written or kept. With a
/// BAM, they also give each UMI's correction (UB) as count will collapse it.
void SampleMapping::finish_records() {
    if (bam_) umi_corrections_.emplace(chem_.umi.length);
    auto& m = metrics_;
    results_.record_runs = spool_.runs();
    results_.records = spool_.finish(std::move(out_), resolved_, corrected_, options_.records, [&](const Record& r, const std::vector<std::uint32_t>& genes) {
        ++results_.record_count;
        m.mapped += r.count;
        const auto status = static_cast<SpliceStatus>(r.flags & kSpliceMask);
        (status == SpliceStatus::Spliced ? m.spliced : status == SpliceStatus::Unspliced ? m.unspliced : m.ambiguous) += r.count;
        if (genes.size() > 1) m.multi_gene += r.count;
        if (r.flags & kUmiHasN) m.umi_with_n += r.count;
        if (r.flags & kUmiHomopolymer) m.umi_homopolymer += r.count;
        if (umi_corrections_) umi_corrections_->add(r, genes);
    });
}

/// The BAM sorted and written, each pending barcode resolved to its CB (or none) and each UMI to
/// the correction count will make (UB).
void SampleMapping::finish_bam() {
    umi_corrections_->finish();
    std::unordered_map<std::string_view, std::uint32_t> gene_index;
    for (std::uint32_t g = 0; g < index_.gene_ids().size(); ++g) gene_index.emplace(index_.gene_ids()[g], g);
    const std::uint32_t bc_length = chem_.barcode.length;
    std::string text;
    results_.bam_records = bam_->finish([&](bam1_t* b) {
        std::optional<std::uint64_t> barcode;
        if (std::uint8_t* zp = bam_aux_get(b, "zp")) {
            const auto i = static_cast<std::size_t>(bam_aux2i(zp));
            bam_aux_del(b, zp);
            if (resolved_[i] == kDroppedBarcode) return;
            barcode = resolved_[i];
            text = dna::unpack(resolved_[i], bc_length) + "-1";
            bam_aux_append(b, "CB", 'Z', static_cast<int>(text.size() + 1), reinterpret_cast<const std::uint8_t*>(text.c_str()));
        } else if (const std::uint8_t* cb = bam_aux_get(b, "CB")) {
            barcode = dna::pack(std::string_view(bam_aux2Z(cb)).substr(0, bc_length));
        }
        // UB: the UMI's correction within its cell and gene (reads of one gene only).
        const std::uint8_t* ub = bam_aux_get(b, "UB");
        const std::uint8_t* gx = bam_aux_get(b, "GX");
        if (!barcode || !ub || !gx) return;
        const auto gene = gene_index.find(std::string_view(bam_aux2Z(gx)));
        const auto umi = dna::pack(bam_aux2Z(ub));
        if (gene == gene_index.end() || !umi) return;
        const std::uint64_t fixed = umi_corrections_->corrected(*barcode, gene->second, *umi);
        if (fixed == *umi) return;
        text = dna::unpack(fixed, chem_.umi.length);
        bam_aux_update_str(b, "UB", static_cast<int>(text.size() + 1), text.c_str());
    });
}

}  // namespace

MapSampleResults map_sample(const SampleFastqs& sample, const Index& index, const MapSampleOptions& options) {
    if (sample.lanes.empty()) throw OptionError("sample " + sample.name + " has no FASTQ files");
    if (!options.whitelist.empty() && !fs::exists(options.whitelist))
        throw OptionError(options.whitelist.string() + ": whitelist not found");
    const auto whitelists = options.whitelists ? options.whitelists : std::make_shared<WhitelistCache>();
    MapSampleResults results;
    results.metrics.sample = sample.name;
    for (const auto& lane : sample.lanes) results.metrics.lanes.push_back({.lane = lane.lane, .r1 = lane.r1.filename().string()});
    const Chemistry& chem = choose_chemistry(sample, index, options, *whitelists, results.metrics);
    const Whitelist* whitelist = choose_whitelist(options, chem, *whitelists, results.metrics);
    SampleMapping(sample, index, options, chem, whitelist, results).run();
    return results;
}

std::string metrics_json(const SampleMetrics& m) {
    auto frac = [](std::uint64_t a, std::uint64_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0; };
    nlohmann::json candidates = nlohmann::json::array();
    for (const auto& c : m.candidates)
        candidates.push_back({{"chemistry", c.name},
                              {"fits_read_lengths", c.fits},
                              {"whitelist_rate", c.whitelist_rate < 0 ? nlohmann::json() : nlohmann::json(c.whitelist_rate)},
                              {"sense_rate", c.sense_rate},
                              {"antisense_rate", c.antisense_rate}});
    const std::uint64_t valid = m.barcode_exact + m.barcode_corrected;
    nlohmann::json lanes = nlohmann::json::array();
    for (const auto& l : m.lanes)
        lanes.push_back({{"lane", l.lane},
                         {"r1", l.r1},
                         {"read_pairs", l.read_pairs},
                         {"exact_barcode_fraction", frac(l.barcode_exact, l.read_pairs)},
                         {"cdna_mapped_fraction", frac(l.cdna_mapped, l.read_pairs)},
                         {"q30_barcode", frac(l.barcode_q30, l.barcode_bases)},
                         {"q30_umi", frac(l.umi_q30, l.umi_bases)},
                         {"q30_cdna", frac(l.cdna_q30, l.cdna_bases)}});
    const nlohmann::json j = {
        {"sample", m.sample},
        {"chemistry", m.chemistry},
        {"chemistry_reason", m.chemistry_reason},
        {"chemistry_candidates", candidates},
        {"whitelist", m.whitelist},
        {"whitelist_size", m.whitelist_size},
        {"read_pairs", m.read_pairs},
        {"barcodes_exact", m.barcode_exact},
        {"barcodes_corrected", m.barcode_corrected},
        {"barcodes_rejected", m.barcode_rejected},
        {"valid_barcode_fraction", frac(valid, m.read_pairs)},
        {"umis_with_n", m.umi_with_n},
        {"umis_homopolymer", m.umi_homopolymer},
        {"mapped_reads", m.mapped},
        {"mapping_rate", frac(m.mapped, valid)},
        {"spliced_reads", m.spliced},
        {"unspliced_reads", m.unspliced},
        {"ambiguous_reads", m.ambiguous},
        {"multi_gene_reads", m.multi_gene},
        {"q30_barcode", frac(m.barcode_q30, m.barcode_bases)},
        {"q30_umi", frac(m.umi_q30, m.umi_bases)},
        {"q30_cdna", frac(m.cdna_q30, m.cdna_bases)},
        {"lanes", lanes},
    };
    return j.dump(2) + "\n";
}

}  // namespace kupffer::align
