#include "kupffer/align/bam_output.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"

namespace kupffer::align {

namespace fs = std::filesystem;

GenomePlacement place_on_genome(const Index& index, std::uint32_t target, std::int32_t offset, std::uint32_t read_length,
                                bool mapped_reverse_complement) {
    GenomePlacement p;
    const TargetLayout& layout = index.layout(target);
    const auto length = static_cast<std::int64_t>(index.targets()[target].length);
    // The mapped sequence covers target bases [offset, offset + read_length); what lies outside a
    // transcript is clipped. An intron target is one stretch of pre-mRNA, so a read running past
    // it runs on along the genome (within the contig).
    std::int64_t lo_limit = 0, hi_limit = length;
    if (index.targets()[target].kind == TargetKind::Intron) {
        const auto [start, stop] = layout.blocks.front();
        const std::int64_t before = start, after = std::int64_t{index.contig_lengths()[layout.contig]} - stop;
        lo_limit = -(layout.strand == '+' ? before : after);
        hi_limit = length + (layout.strand == '+' ? after : before);
    }
    const std::int64_t begin = std::max<std::int64_t>(offset, lo_limit);
    const std::int64_t end = std::min<std::int64_t>(std::int64_t{offset} + read_length, hi_limit);
    if (end <= begin) return p;
    std::uint32_t clip_start = static_cast<std::uint32_t>(begin - offset);
    std::uint32_t clip_end = static_cast<std::uint32_t>(std::int64_t{offset} + read_length - end);
    // In forward genome order along the joined blocks.
    std::int64_t a = begin, b = end;
    if (layout.strand == '-') {
        a = length - end, b = length - begin;
        std::swap(clip_start, clip_end);
    }
    p.reverse = (layout.strand == '-') != mapped_reverse_complement;
    if (clip_start) p.cigar.push_back(clip_start << 4 | BAM_CSOFT_CLIP);
    if (index.targets()[target].kind == TargetKind::Intron) {
        p.position = layout.blocks.front().first + a;
        p.cigar.push_back(static_cast<std::uint32_t>(b - a) << 4 | BAM_CMATCH);
        if (clip_end) p.cigar.push_back(clip_end << 4 | BAM_CSOFT_CLIP);
        p.contig = static_cast<std::int32_t>(layout.contig);
        return p;
    }
    std::int64_t joined = 0;  // joined-block coordinate of the current block's start
    std::int64_t last_end = -1;
    for (const auto& [start, stop] : layout.blocks) {
        const std::int64_t size = stop - start;
        const std::int64_t lo = std::max(a, joined), hi = std::min(b, joined + size);
        if (lo < hi) {
            const std::int64_t genome_lo = start + (lo - joined);
            if (last_end < 0) p.position = genome_lo;
            else if (genome_lo > last_end) p.cigar.push_back(static_cast<std::uint32_t>(genome_lo - last_end) << 4 | BAM_CREF_SKIP);
            p.cigar.push_back(static_cast<std::uint32_t>(hi - lo) << 4 | BAM_CMATCH);
            last_end = genome_lo + (hi - lo);
        }
        joined += size;
    }
    if (clip_end) p.cigar.push_back(clip_end << 4 | BAM_CSOFT_CLIP);
    p.contig = static_cast<std::int32_t>(layout.contig);
    return p;
}

BamHeaderPtr make_bam_header(const Index& index, const std::string& sample, const std::string& command_line) {
    std::string text = "@HD\tVN:1.6\tSO:coordinate\n";
    for (std::size_t c = 0; c < index.contig_names().size(); ++c)
        text += "@SQ\tSN:" + index.contig_names()[c] + "\tLN:" + std::to_string(index.contig_lengths()[c]) + "\n";
    text += "@RG\tID:" + sample + "\tSM:" + sample + "\tPL:ILLUMINA\n";
    std::string cl = command_line;
    std::replace(cl.begin(), cl.end(), '\t', ' ');
    std::replace(cl.begin(), cl.end(), '\n', ' ');
    text += "@PG\tID:kupffer\tPN:kupffer\tCL:" + cl + "\n";
    text += "@CO\tPlacement from k-mer diagonals; UB corrected within cell and gene by UMI-tools' directional rule.\n";
    BamHeaderPtr header(sam_hdr_init());
    if (!header || sam_hdr_add_lines(header.get(), text.c_str(), text.size()) < 0)
        throw OptionError("cannot build a BAM header for sample " + sample);
    return header;
}

namespace {
void append_string(bam1_t* b, const char tag[2], std::string_view value, std::string& scratch) {
    scratch.assign(value);
    if (bam_aux_append(b, tag, 'Z', static_cast<int>(scratch.size() + 1), reinterpret_cast<const std::uint8_t*>(scratch.c_str())) < 0)
        throw std::bad_alloc();
}
void append_quality(bam1_t* b, const char tag[2], std::string_view q, std::string& scratch) { append_string(b, tag, q, scratch); }
}  // namespace

void fill_bam_record(bam1_t* out, const Index& index, const BamRead& read, std::string& scratch) {
    GenomePlacement place;
    if (read.mapped && read.mapped->mapped)
        place = place_on_genome(index, read.mapped->target, read.mapped->offset, static_cast<std::uint32_t>(read.cdna.size()),
                                read.mapped_reverse_complement);
    const bool placed = place.contig >= 0;
    std::uint16_t flag = placed ? (place.reverse ? BAM_FREVERSE : 0) : BAM_FUNMAP;
    // SEQ and QUAL in genome orientation; qualities as Phred values.
    std::string seq(read.cdna), qual(read.cdna_quality);
    for (auto& q : qual) q = static_cast<char>(q - 33);
    if (placed && place.reverse) {
        seq = dna::reverse_complement(seq);
        std::reverse(qual.begin(), qual.end());
    }
    const std::uint8_t mapq = !placed ? 0 : read.mapped->genes.size() == 1 ? 255 : 3;
    if (bam_set1(out, read.name.size(), read.name.data(), flag, placed ? place.contig : -1, placed ? place.position : -1, mapq,
                 place.cigar.size(), place.cigar.data(), -1, -1, 0, seq.size(), seq.data(), qual.data(), 256) < 0)
        throw std::bad_alloc();
    append_string(out, "CR", read.barcode, scratch);
    append_quality(out, "CY", read.barcode_quality, scratch);
    append_string(out, "UR", read.umi, scratch);
    append_quality(out, "UY", read.umi_quality, scratch);
    if (read.umi_valid) append_string(out, "UB", read.umi, scratch);
    if (placed) {
        std::string ids, names;
        for (auto g : read.mapped->genes) {
            if (!ids.empty()) ids += ';', names += ';';
            ids += index.gene_ids()[g];
            names += index.gene_names()[g];
        }
        append_string(out, "GX", ids, scratch);
        append_string(out, "GN", names, scratch);
        const auto status = read.mapped->status;
        if (status != SpliceStatus::Ambiguous) {
            const char re = status == SpliceStatus::Spliced ? 'E' : 'N';
            bam_aux_append(out, "RE", 'A', 1, reinterpret_cast<const std::uint8_t*>(&re));
        }
        const std::int32_t xf = read.mapped->genes.size() == 1 ? 17 : 0;
        bam_aux_append(out, "xf", 'i', 4, reinterpret_cast<const std::uint8_t*>(&xf));
    }
    if (read.pending >= 0) {
        const auto p = static_cast<std::int32_t>(read.pending);
        bam_aux_append(out, "zp", 'i', 4, reinterpret_cast<const std::uint8_t*>(&p));
    } else if (!read.corrected_barcode.empty()) {
        append_string(out, "CB", std::string(read.corrected_barcode) + "-1", scratch);
    }
}

namespace {
/// Sort key: contig (unplaced last), position; ties keep input order (stable sort, chunk order).
std::pair<std::uint32_t, std::int64_t> key(const bam1_t* b) {
    return {b->core.tid < 0 ? UINT32_MAX : static_cast<std::uint32_t>(b->core.tid), b->core.tid < 0 ? 0 : b->core.pos};
}

HtsFilePtr open_bam_for_writing(const fs::path& path, const sam_hdr_t* header, const char* mode, int threads) {
    HtsFilePtr f = open_hts(path, mode);
    if (threads > 1) hts_set_threads(f.get(), threads);
    if (sam_hdr_write(f.get(), header) < 0) throw IoError(path.string(), "write", errno);
    return f;
}
}  // namespace

SortedBamWriter::SortedBamWriter(fs::path path, const sam_hdr_t* header, std::size_t memory_bytes, int threads)
    : path_(std::move(path)), header_(sam_hdr_dup(header)), memory_bytes_(memory_bytes), threads_(threads) {
    if (!header_) throw std::bad_alloc();
}

SortedBamWriter::~SortedBamWriter() {
    std::error_code ec;
    for (const auto& c : chunks_) fs::remove(c, ec);
    fs::remove(path_.string() + ".tmp", ec);
    fs::remove(path_.string() + ".bai.tmp", ec);
}

void SortedBamWriter::add(BamRecordPtr record) {
    // What the record really holds: its struct, its data allocation and the allocator's overhead.
    buffered_bytes_ += sizeof(bam1_t) + record->m_data + 32;
    buffer_.push_back(std::move(record));
    if (buffered_bytes_ >= memory_bytes_) spill();
}

void SortedBamWriter::spill() {
    std::stable_sort(buffer_.begin(), buffer_.end(), [](const BamRecordPtr& a, const BamRecordPtr& b) { return key(a.get()) < key(b.get()); });
    const fs::path chunk = path_.string() + ".chunk" + std::to_string(chunks_.size()) + ".tmp";
    chunks_.push_back(chunk);
    // Fastest compression: a chunk is read back once, soon. (Not uncompressed, "wbu": Debian 12's
    // HTSlib asks its libdeflate for level 0, which that version lacks, and crashes.)
    HtsFilePtr f = open_bam_for_writing(chunk, header_.get(), "wb1", threads_);
    for (const auto& r : buffer_)
        if (sam_write1(f.get(), header_.get(), r.get()) < 0) throw IoError(chunk.string(), "write", errno);
    if (hts_close(f.release()) != 0) throw IoError(chunk.string(), "close", errno);
    buffer_.clear();
    buffered_bytes_ = 0;
}

std::uint64_t SortedBamWriter::finish(const std::function<void(bam1_t*)>& edit) {
    const fs::path tmp = path_.string() + ".tmp", bai_tmp = path_.string() + ".bai.tmp";
    std::uint64_t written = 0;
    {
        HtsFilePtr out = open_bam_for_writing(tmp, header_.get(), "wb4", threads_);
        auto write = [&](bam1_t* b) {
            edit(b);
            if (sam_write1(out.get(), header_.get(), b) < 0) throw IoError(tmp.string(), "write", errno);
            ++written;
        };
        if (chunks_.empty()) {
            std::stable_sort(buffer_.begin(), buffer_.end(), [](const BamRecordPtr& a, const BamRecordPtr& b) { return key(a.get()) < key(b.get()); });
            for (auto& r : buffer_) write(r.get());
            buffer_.clear();
        } else {
            if (!buffer_.empty()) spill();
            // k-way merge; chunks are in input order, so ties go to the lower chunk.
            struct Source {
                HtsFilePtr file;
                BamHeaderPtr header;
                BamRecordPtr record;
                bool live = false;
            };
            std::vector<Source> sources(chunks_.size());
            auto advance = [&](std::size_t i) {
                const int r = sam_read1(sources[i].file.get(), sources[i].header.get(), sources[i].record.get());
                if (r < -1) throw InputError(chunks_[i].string(), 0, "corrupt temporary BAM chunk");
                sources[i].live = r >= 0;
            };
            for (std::size_t i = 0; i < chunks_.size(); ++i) {
                sources[i].file = open_hts(chunks_[i], "rb");
                sources[i].header.reset(sam_hdr_read(sources[i].file.get()));
                if (!sources[i].header) throw InputError(chunks_[i].string(), 0, "corrupt temporary BAM chunk");
                sources[i].record = make_bam_record();
                advance(i);
            }
            for (;;) {
                std::size_t best = sources.size();
                for (std::size_t i = 0; i < sources.size(); ++i)
                    if (sources[i].live && (best == sources.size() || key(sources[i].record.get()) < key(sources[best].record.get()))) best = i;
                if (best == sources.size()) break;
                write(sources[best].record.get());
                advance(best);
            }
        }
        if (hts_close(out.release()) != 0) throw IoError(tmp.string(), "close", errno);
    }
    std::error_code ec;
    for (const auto& c : chunks_) fs::remove(c, ec);
    chunks_.clear();
    // Contigs beyond 2^29 bases need a CSI index; others get the usual .bai.
    std::uint32_t longest = 0;
    for (int t = 0; t < sam_hdr_nref(header_.get()); ++t) longest = std::max<std::uint32_t>(longest, static_cast<std::uint32_t>(sam_hdr_tid2len(header_.get(), t)));
    const bool csi = longest >= (1U << 29);
    const fs::path index_tmp = csi ? fs::path(path_.string() + ".csi.tmp") : bai_tmp;
    if (sam_index_build2(tmp.c_str(), index_tmp.c_str(), csi ? 14 : 0) < 0) throw IoError(tmp.string(), "index", errno ? errno : EIO);
    fs::rename(index_tmp, path_.string() + (csi ? ".csi" : ".bai"));
    fs::rename(tmp, path_);
    return written;
}

}  // namespace kupffer::align
