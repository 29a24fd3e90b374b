#include "kupffer/core/hts.hpp"

#include <cerrno>
#include <new>
#include <optional>

#include "kupffer/core/errors.hpp"

#include <htslib/kseq.h>

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

namespace internal {
/// The stream kseq reads. A read error is remembered and shown to kseq as end of file, so kseq
/// stops cleanly; FastqReader then reports it with the record number.
struct KseqSource {
    DecompressedInput* input;
    std::optional<InputError> error;
};
inline int read_checked(KseqSource* source, void* buffer, int length) {
    try {
        return static_cast<int>(source->input->read(static_cast<char*>(buffer), static_cast<std::size_t>(length)));
    } catch (const InputError& e) {
        source->error = e;
        return 0;
    }
}
// KSEQ_INIT with a 256 KiB stream buffer instead of 16 KiB: fewer calls into the inflater.
KSTREAM_INIT2(static, KseqSource*, read_checked, 1 << 18)
__KSEQ_TYPE(KseqSource*)
__KSEQ_BASIC(static, KseqSource*)
__KSEQ_READ(static)
struct KseqState {
    KseqSource source;
    kseq_t* seq;
};
void KseqDeleter::operator()(KseqState* s) const noexcept {
    if (s) kseq_destroy(s->seq);
    delete s;
}
}  // namespace internal

FastqReader::FastqReader(std::filesystem::path path) : path_(std::move(path)), input_(std::make_unique<DecompressedInput>(path_)) {
    seq_.reset(new internal::KseqState{{input_.get(), std::nullopt}, nullptr});
    seq_->seq = internal::kseq_init(&seq_->source);
}

FastqReader::~FastqReader() = default;

bool FastqReader::next(FastqRecord& record) {
    internal::kseq_t* ks = seq_->seq;
    const int r = internal::kseq_read(ks);
    const std::uint64_t n = records_ + 1;
    if (seq_->source.error) throw InputError(path_.string(), n, "record " + std::to_string(n) + ": " + seq_->source.error->message());
    if (r == -1) return false;
    if (r == -2) throw InputError(path_.string(), n, "record " + std::to_string(n) + ": quality and sequence lengths differ (truncated or malformed FASTQ)");
    if (r < -2) throw InputError(path_.string(), n, "record " + std::to_string(n) + ": truncated or corrupt file");
    if (ks->qual.l == 0 && ks->seq.l > 0) throw InputError(path_.string(), n, "record " + std::to_string(n) + " is FASTA, not FASTQ");
    for (std::size_t i = 0; i < ks->seq.l; ++i) {
        switch (ks->seq.s[i]) {
            case 'A': case 'C': case 'G': case 'T': case 'N': break;
            case 'a': case 'c': case 'g': case 't': case 'n': ks->seq.s[i] = static_cast<char>(ks->seq.s[i] - 32); break;
            default:
                throw InputError(path_.string(), n, "record " + std::to_string(n) + ": invalid base '" +
                                                        std::string(1, ks->seq.s[i]) + "' (only A, C, G, T, N)");
        }
    }
    std::size_t name_length = ks->name.l;
    if (name_length > 2 && ks->name.s[name_length - 2] == '/' && (ks->name.s[name_length - 1] == '1' || ks->name.s[name_length - 1] == '2'))
        name_length -= 2;
    record.name = std::string_view(ks->name.s, name_length);
    record.sequence = std::string_view(ks->seq.s, ks->seq.l);
    record.quality = std::string_view(ks->qual.s, ks->qual.l);
    records_ = n;
    return true;
}

}  // namespace kupffer
