#include "chemistry_detection.hpp"

#include <algorithm>

#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"

namespace kupffer::align::internal {

namespace fs = std::filesystem;

Detection detect_chemistry(const SampleFastqs& sample, const Index& index, const MapSampleOptions& options,
                           WhitelistCache& whitelists) {
    // A sample of pairs from the start of the first lane.
    std::vector<std::string> r1s, r2s;
    {
        // Only the first pairs; the main pass checks that R1 and R2 stay in step over the whole run.
        MateStream r1(sample, 0), r2(sample, 1);
        FastqRecord a, b;
        std::size_t lane1 = 0, lane2 = 0;
        while (r1s.size() < options.detection_reads && r1.next(a, lane1) && r2.next(b, lane2)) {
            r1s.emplace_back(a.sequence);
            r2s.emplace_back(b.sequence);
        }
    }
    if (r1s.empty()) throw InputError(sample.lanes[0].r1.string(), 0, "no reads: the FASTQ files of sample " + sample.name + " are empty");
    std::vector<std::size_t> lengths;
    for (const auto& r : r1s) lengths.push_back(r.size());
    std::nth_element(lengths.begin(), lengths.begin() + lengths.size() / 2, lengths.end());
    const std::size_t r1_length = lengths[lengths.size() / 2];

    Detection d;
    Mapper mapper(index, options.mapping);
    const std::size_t n_map = std::min<std::size_t>(r2s.size(), 2000);
    std::size_t sense = 0, antisense = 0;
    for (std::size_t i = 0; i < n_map; ++i) {
        sense += mapper.map(r2s[i]).mapped;
        antisense += mapper.map(r2s[i], true).mapped;
    }
    const double sense_rate = n_map ? static_cast<double>(sense) / static_cast<double>(n_map) : 0;
    const double antisense_rate = n_map ? static_cast<double>(antisense) / static_cast<double>(n_map) : 0;

    const Chemistry* best = nullptr;
    double best_score = -1;
    std::filesystem::path wrong_length_file;  // a whitelist whose barcodes are not as long as a chemistry's that fits R1
    std::string wrong_length;
    for (const auto& chem : chemistry_presets()) {
        // A paired-end preset needs R1 to carry at least 25 cDNA bases after its barcode and UMI.
        const std::uint32_t need = chem.mate_cdna ? chem.mate_cdna->offset + 25 : chem.min_read_length(0);
        ChemistryCandidate c{chem.name, r1_length >= need, -1, sense_rate, antisense_rate};
        if (c.fits) {
            if (auto wl_path = whitelist_for(options.whitelist, chem)) {
                const Whitelist& wl = whitelists.get(*wl_path);
                if (wl.length() != chem.barcode.length && wrong_length.empty()) {
                    wrong_length_file = *wl_path;
                    wrong_length = "its barcodes are " + std::to_string(wl.length()) + " bases, but " + chem.name + "'s are " +
                                   std::to_string(chem.barcode.length) + ": give the barcode whitelist of the kit used "
                                   "(10x 3' v3: 3M-february-2018.txt.gz, v2: 737K-august-2016.txt)";
                }
                std::size_t hits = 0;
                for (const auto& r : r1s) {
                    auto bc = segment(r, chem.barcode);
                    auto packed = bc.size() == wl.length() ? dna::pack(bc) : std::nullopt;
                    hits += packed && wl.find(*packed);
                }
                c.whitelist_rate = static_cast<double>(hits) / static_cast<double>(r1s.size());
            }
        }
        d.candidates.push_back(c);
        if (!c.fits) continue;
        const bool strand_ok = chem.strand == Strand::Sense ? sense_rate >= antisense_rate : antisense_rate > sense_rate;
        if (!strand_ok) continue;
        if (!options.whitelist.empty() && c.whitelist_rate < 0.5) continue;
        // Prefer a better whitelist match, then a paired-end preset where R1 holds cDNA (it uses
        // both mates), then a preset whose R1 length is exactly the reads'.
        const double score = std::max(0.0, c.whitelist_rate) + (chem.mate_cdna ? 0.002 : 0.0) +
                             (chem.min_read_length(0) == r1_length ? 0.001 : 0.0);
        if (score > best_score) best = &chem, best_score = score;
    }
    if (!best && !wrong_length.empty()) throw InputError(wrong_length_file.string(), 0, wrong_length);
    if (!best) {
        std::string detail;
        for (const auto& c : d.candidates)
            detail += "\n  - " + c.name + (c.fits ? "" : " (R1 too short)") +
                      (c.whitelist_rate >= 0 ? ", " + std::to_string(static_cast<int>(100 * c.whitelist_rate)) + "% barcodes in whitelist" : "");
        throw InputError(sample.lanes[0].r1.string(), 0,
                         "no chemistry fits sample " + sample.name + " (R1 " + std::to_string(r1_length) + " bases, cDNA maps " +
                             std::to_string(static_cast<int>(100 * sense_rate)) + "% sense / " +
                             std::to_string(static_cast<int>(100 * antisense_rate)) + "% antisense):" + detail);
    }
    d.chemistry = best;
    const auto& chosen = d.candidates[static_cast<std::size_t>(best - chemistry_presets().data())];
    d.reason = "R1 " + std::to_string(r1_length) + " bases; cDNA maps " + std::to_string(static_cast<int>(100 * sense_rate)) +
               "% sense vs " + std::to_string(static_cast<int>(100 * antisense_rate)) + "% antisense" +
               (chosen.whitelist_rate >= 0 ? "; " + std::to_string(static_cast<int>(100 * chosen.whitelist_rate)) + "% of barcodes in its whitelist"
                                           : "; no whitelist (inferred from the reads)");
    return d;
}

}  // namespace kupffer::align::internal
