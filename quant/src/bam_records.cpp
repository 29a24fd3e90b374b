#include "kupffer/quant/bam_records.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>

#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/hts.hpp"

namespace kupffer::quant {

namespace {
std::string_view tag_string(const bam1_t* b, const char tag[2]) {
    const std::uint8_t* aux = bam_aux_get(b, tag);
    if (!aux) return {};
    const char* s = bam_aux2Z(aux);
    return s ? std::string_view(s) : std::string_view();
}
}  // namespace

align::RecordFile records_from_bam(const std::filesystem::path& path, BamRecordStats* stats_out) {
    HtsFilePtr file = open_hts(path, "r");
    const htsFormat* format = hts_get_format(file.get());
    if (format->format != bam && format->format != sam && format->format != cram)
        throw InputError(path.string(), 0, "not a BAM, SAM or CRAM file");
    BamHeaderPtr header(sam_hdr_read(file.get()));
    if (!header) throw InputError(path.string(), 0, "cannot read the header");
    BamRecordPtr rec = make_bam_record();
    align::RecordFile out;
    BamRecordStats stats;
    std::unordered_map<std::string, std::uint32_t> gene_index;
    std::map<std::vector<std::uint32_t>, std::uint32_t> class_ids;
    std::vector<std::uint32_t> genes;
    bool lengths_known = false;
    int r;
    while ((r = sam_read1(file.get(), header.get(), rec.get())) >= 0) {
        ++stats.alignments;
        const bam1_t* b = rec.get();
        if (b->core.flag & (BAM_FSECONDARY | BAM_FSUPPLEMENTARY)) {
            ++stats.secondary;
            continue;
        }
        if (const std::uint8_t* nh = bam_aux_get(b, "NH"); nh && bam_aux2i(nh) > 1) {
            ++stats.multimapped;
            continue;
        }
        std::string_view cb = tag_string(b, "CB"), ub = tag_string(b, "UB"), gx = tag_string(b, "GX");
        if (cb.empty() || ub.empty() || gx.empty() || gx == "-" || cb == "-" || ub == "-") {
            ++stats.missing_tags;
            continue;
        }
        if (const auto dash = cb.find('-'); dash != std::string_view::npos) cb = cb.substr(0, dash);
        const auto barcode = cb.size() < 32 ? dna::pack(cb) : std::nullopt;
        const auto umi = dna::pack(ub);
        if (!barcode || !umi)
            throw InputError(path.string(), stats.alignments, "CB '" + std::string(cb) + "' or UB '" + std::string(ub) + "' is not an A/C/G/T sequence");
        if (!lengths_known) {
            out.barcode_length = static_cast<std::uint32_t>(cb.size());
            out.umi_length = static_cast<std::uint32_t>(ub.size());
            lengths_known = true;
        } else if (cb.size() != out.barcode_length || ub.size() != out.umi_length) {
            throw InputError(path.string(), stats.alignments, "CB/UB lengths differ from earlier records");
        }
        // GX (and GN) may list several genes separated by ';'.
        const std::string_view gn = tag_string(b, "GN");
        genes.clear();
        std::size_t start = 0, name_start = 0;
        while (start <= gx.size()) {
            const std::size_t end = std::min(gx.find(';', start), gx.size());
            const std::size_t name_end = std::min(gn.find(';', name_start), gn.size());
            const std::string id(gx.substr(start, end - start));
            auto [it, fresh] = gene_index.try_emplace(id, static_cast<std::uint32_t>(out.gene_ids.size()));
            if (fresh) {
                out.gene_ids.push_back(id);
                out.gene_names.push_back(name_start < gn.size() ? std::string(gn.substr(name_start, name_end - name_start)) : id);
            }
            genes.push_back(it->second);
            start = end + 1;
            name_start = name_end + 1;
        }
        std::sort(genes.begin(), genes.end());
        genes.erase(std::unique(genes.begin(), genes.end()), genes.end());
        auto [cit, fresh] = class_ids.try_emplace(genes, static_cast<std::uint32_t>(out.eq_classes.size()));
        if (fresh) out.eq_classes.push_back(genes);
        // RE as Cell Ranger writes it: E exonic (spliced), N intronic (unspliced); without it
        // (STARsolo, or a kupffer read compatible with both) the splice status is ambiguous.
        const std::uint8_t* re = bam_aux_get(b, "RE");
        const char region = re ? bam_aux2A(re) : '\0';
        const std::uint32_t status = region == 'E' ? 0U : region == 'N' ? 1U : 2U;
        out.records.push_back({*barcode, *umi, cit->second, status, 1, 0});
        ++stats.used;
    }
    if (r < -1) throw InputError(path.string(), stats.alignments + 1, "truncated or corrupt record");
    if (stats.used == 0)
        throw InputError(path.string(), 0,
                         "no alignment carries CB, UB and GX tags (Cell Ranger writes them; for STARsolo add "
                         "--outSAMattributes CB UB GX GN)");
    align::canonicalize(out);
    if (stats_out) *stats_out = stats;
    return out;
}

}  // namespace kupffer::quant
