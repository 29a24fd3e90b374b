#include "kupffer/core/hts.hpp"

#include <cerrno>
#include <new>

#include "kupffer/core/errors.hpp"

namespace kupffer {

HtsFilePtr open_hts(const std::filesystem::path& path, const char* mode) {
    if (mode[0] == 'r' && !std::filesystem::exists(path)) throw IoError(path.string(), "open", ENOENT);
    HtsFilePtr file(hts_open(path.c_str(), mode));
    if (!file) throw IoError(path.string(), "open", errno ? errno : EIO);
    return file;
}

BamRecordPtr make_bam_record() {
    BamRecordPtr record(bam_init1());
    if (!record) throw std::bad_alloc();
    return record;
}

FastqReader::FastqReader(std::filesystem::path path) : path_(std::move(path)), file_(open_hts(path_, "r")) {
    const htsFormat* format = hts_get_format(file_.get());
    // An empty file has no detectable format; it simply holds no records.
    if (format->format != fastq_format && format->format != fasta_format && format->format != empty_format &&
        format->format != unknown_format)
        throw InputError(path_.string(), 0, std::string("not a FASTQ file (detected ") + hts_format_file_extension(format) + ")");
    if (format->format == fasta_format) throw InputError(path_.string(), 0, "FASTA given where FASTQ is needed");
    if (format->format == fastq_format) {
        header_.reset(sam_hdr_read(file_.get()));
        if (!header_) throw InputError(path_.string(), 1, "cannot read FASTQ");
    }
    record_ = make_bam_record();
}

bool FastqReader::next(FastqRecord& record) {
    if (!header_) return false;  // empty file
    const int r = sam_read1(file_.get(), header_.get(), record_.get());
    if (r == -1) return false;
    if (r < -1)
        throw InputError(path_.string(), records_ + 1,
                         "truncated or malformed FASTQ record (record " + std::to_string(records_ + 1) + ")");
    ++records_;
    const bam1_t* b = record_.get();
    const auto len = static_cast<std::size_t>(b->core.l_qseq);
    sequence_.resize(len);
    quality_.resize(len);
    const std::uint8_t* seq = bam_get_seq(b);
    const std::uint8_t* qual = bam_get_qual(b);
    for (std::size_t i = 0; i < len; ++i) {
        sequence_[i] = seq_nt16_str[bam_seqi(seq, i)];
        quality_[i] = static_cast<char>(qual[i] == 0xff ? '!' : qual[i] + 33);
    }
    record.name = bam_get_qname(b);
    record.sequence = sequence_;
    record.quality = quality_;
    return true;
}

}  // namespace kupffer
