#include "kupffer/simulate/reference.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <random>
#include <span>

#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/core/random.hpp"
#include "kupffer/core/text_reader.hpp"
#include "reference_parts.hpp"

namespace kupffer::simulate {

using namespace internal;

namespace {

constexpr std::uint32_t kMitoLength = 16'569;
constexpr std::uint32_t kMinGap = 500;

/// Exon and intron lengths of one gene in transcript (5'->3') order.
struct Structure {
    std::vector<std::uint32_t> exons;
    std::vector<std::uint32_t> introns;
    std::uint32_t span() const {
        std::uint32_t s = 0;
        for (auto e : exons) s += e;
        for (auto i : introns) s += i;
        return s;
    }
};

std::uint32_t lognormal_length(Rng& rng, double median, double sigma, std::uint32_t lo, std::uint32_t hi) {
    std::normal_distribution<double> z(0.0, 1.0);
    const double v = median * std::exp(sigma * z(rng));
    return static_cast<std::uint32_t>(std::clamp(v, static_cast<double>(lo), static_cast<double>(hi)));
}

/// Primate gene structure (see GeneModel): RefSeq/GENCODE human genes have a median of ~8 exons
/// (mean ~10), internal exons ~120-130 b, 3' exons ~1-1.5 kb (mostly 3' UTR) and introns with a
/// median of ~1.5-2 kb and a mean of ~6 kb, the longest over 1 Mb.
constexpr std::uint32_t kMaxIntron = 1'500'000;

std::uint32_t primate_intron(Rng& rng) { return lognormal_length(rng, 1600, 1.6, 70, kMaxIntron); }

Structure primate_structure(Rng& rng) {
    Structure s;
    std::geometric_distribution<int> extra(0.11);
    const int n_exons = rng.uniform() < 0.06 ? 1 : std::min(80, 2 + extra(rng));
    for (int e = 0; e < n_exons; ++e) {
        if (e == n_exons - 1) s.exons.push_back(lognormal_length(rng, 1300, 0.8, 200, 15000));
        else if (e == 0) s.exons.push_back(lognormal_length(rng, 200, 0.8, 40, 3000));
        else s.exons.push_back(lognormal_length(rng, 125, 0.45, 30, 1500));
    }
    for (int i = 0; i + 1 < n_exons; ++i) s.introns.push_back(primate_intron(rng));
    return s;
}

Structure random_structure(Rng& rng, GeneModel model) {
    if (model == GeneModel::Primate) return primate_structure(rng);
    Structure s;
    std::geometric_distribution<int> extra(0.22);
    const int n_exons = rng.uniform() < 0.08 ? 1 : std::min(12, 2 + extra(rng));
    for (int e = 0; e < n_exons; ++e) {
        if (e == n_exons - 1) s.exons.push_back(lognormal_length(rng, 900, 0.5, 250, 3000));  // with 3' UTR
        else if (e == 0) s.exons.push_back(60 + static_cast<std::uint32_t>(rng.below(190)));
        else s.exons.push_back(lognormal_length(rng, 130, 0.4, 40, 400));
    }
    for (int i = 0; i + 1 < n_exons; ++i) s.introns.push_back(lognormal_length(rng, 900, 0.9, 80, 8000));
    return s;
}

/// Genomic exons of a structure placed at `start` on `strand`.
std::vector<Exon> place_exons(const Structure& s, std::uint32_t start, char strand) {
    std::vector<std::uint32_t> blocks;  // exon, intron, exon, ... in transcript order
    for (std::size_t e = 0; e < s.exons.size(); ++e) {
        blocks.push_back(s.exons[e]);
        if (e < s.introns.size()) blocks.push_back(s.introns[e]);
    }
    std::vector<Exon> exons;
    std::uint32_t pos = start;
    if (strand == '+') {
        for (std::size_t b = 0; b < blocks.size(); ++b) {
            if (b % 2 == 0) exons.push_back({pos, pos + blocks[b]});
            pos += blocks[b];
        }
    } else {
        for (std::size_t b = blocks.size(); b-- > 0;) {
            if (b % 2 == 0) exons.push_back({pos, pos + blocks[b]});
            pos += blocks[b];
        }
    }
    return exons;
}

/// Exons in transcript order (5'->3').

void add_isoforms(Gene& gene, Rng& rng, double alt_fraction) {
    const auto& canonical = gene.transcripts[0];
    auto ordered = transcript_order(canonical.exons, gene.strand);
    if (ordered.size() >= 3 && rng.uniform() < alt_fraction) {
        // Exon skipping of one internal exon.
        auto skipped = ordered;
        skipped.erase(skipped.begin() + 1 + static_cast<std::ptrdiff_t>(rng.below(ordered.size() - 2)));
        std::sort(skipped.begin(), skipped.end(), [](auto& a, auto& b) { return a.start < b.start; });
        gene.transcripts.push_back({"", skipped, 0.4, ""});
    }
    if (rng.uniform() < alt_fraction / 2) {
        // Alternative polyadenylation: the last exon ends 30-60% earlier.
        auto apa = ordered;
        Exon& last = apa.back();
        const auto cut = static_cast<std::uint32_t>(last.length() * (0.3 + 0.3 * rng.uniform()));
        if (last.length() - cut >= 100) {
            if (gene.strand == '+') last.end -= cut;
            else last.start += cut;
            std::sort(apa.begin(), apa.end(), [](auto& a, auto& b) { return a.start < b.start; });
            gene.transcripts.push_back({"", apa, 0.3, ""});
        }
    }
}

char random_base(Rng& rng) {
    // 41% GC, as in mammalian genomes.
    const double u = rng.uniform();
    return u < 0.295 ? 'A' : u < 0.5 ? 'C' : u < 0.705 ? 'G' : 'T';
}



std::string gene_id(std::size_t index) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "KPFG%08zu", index + 1);
    return buf;
}

}  // namespace

namespace internal {

std::vector<Exon> transcript_order(std::vector<Exon> exons, char strand) {
    if (strand == '-') std::reverse(exons.begin(), exons.end());
    return exons;
}

void fill_random(std::string& seq, Rng& rng) {
    for (auto& c : seq) c = random_base(rng);
}

void set_splice_sites(Reference& ref) {
    for (const auto& gene : ref.genes) {
        std::string& chrom = ref.chrom_sequences[gene.chrom];
        for (const auto& tx : gene.transcripts) {
            for (std::size_t i = 0; i + 1 < tx.exons.size(); ++i) {
                const std::uint32_t a = tx.exons[i].end, b = tx.exons[i + 1].start;  // intron [a, b)
                if (b - a < 4) continue;
                if (gene.strand == '+') {
                    chrom[a] = 'G', chrom[a + 1] = 'T', chrom[b - 2] = 'A', chrom[b - 1] = 'G';
                } else {
                    chrom[a] = 'C', chrom[a + 1] = 'T', chrom[b - 2] = 'A', chrom[b - 1] = 'C';
                }
            }
        }
    }
}

}  // namespace internal

GeneModel parse_gene_model(const std::string& name) {
    if (name == "compact") return GeneModel::Compact;
    if (name == "primate") return GeneModel::Primate;
    throw OptionError("unknown gene model '" + name + "' (compact or primate)");
}

const char* to_string(GeneModel model) { return model == GeneModel::Primate ? "primate" : "compact"; }

std::string oriented_sequence(const Reference& reference, std::uint32_t chrom, std::uint32_t start, std::uint32_t end,
                              char strand) {
    std::string_view seq(reference.chrom_sequences[chrom]);
    auto piece = seq.substr(start, end - start);
    return strand == '+' ? std::string(piece) : dna::reverse_complement(piece);
}

namespace {

/// A gene before placement: its name, category and exon/intron lengths.
struct Planned {
    std::string name;
    GeneCategory category;
    Structure structure;
    int paralog_source = -1;  // index into the plan
    bool is_source = false;   // some paralog copies this gene: it must keep its structure
};

/// 1. Gene list and structures: the named catalogue, then background genes; paralogs reuse their
/// source's exon lengths.
std::vector<Planned> plan_genes(const ReferenceOptions& options, Rng& rng) {
    const auto& named = named_genes();
    std::vector<Planned> planned;
    const auto model = options.gene_model;
    for (const auto& g : named) planned.push_back({std::string(g.name), g.category, random_structure(rng, model), -1});
    const std::size_t n_background = options.genes - named.size();
    for (std::size_t i = 0; i < n_background; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "BG%05zu", i + 1);
        planned.push_back({name, GeneCategory::Background, random_structure(rng, model), -1});
    }
    auto index_of = [&](std::string_view name) {
        for (std::size_t i = 0; i < planned.size(); ++i)
            if (planned[i].name == name) return static_cast<int>(i);
        return -1;
    };
    auto make_paralog = [&](int copy, int source) {
        planned[copy].paralog_source = source;
        planned[source].is_source = true;
        planned[copy].structure.exons = planned[source].structure.exons;
        planned[copy].structure.introns.resize(planned[source].structure.introns.size());
        for (auto& len : planned[copy].structure.introns)
            len = model == GeneModel::Primate ? primate_intron(rng) : lognormal_length(rng, 900, 0.9, 80, 8000);
    };
    make_paralog(index_of("HBA2"), index_of("HBA1"));
    const auto n_paralogs = static_cast<std::size_t>(std::round(options.paralog_fraction * n_background));
    for (std::size_t p = 0; p < n_paralogs && n_background >= 2; ++p) {
        // Pair background gene k (copy) with one earlier in the list (source).
        const std::size_t copy = named.size() + 1 + rng.below(n_background - 1);
        const std::size_t source = named.size() + rng.below(copy - named.size());
        // A copy is never itself copied, and a source never becomes a copy (its exons would change
        // under the paralogs already made from it).
        if (planned[copy].paralog_source < 0 && !planned[copy].is_source && planned[source].paralog_source < 0)
            make_paralog(static_cast<int>(copy), static_cast<int>(source));
    }
    return planned;
}

/// Where placement stands on the chromosome being filled.
struct Placement {
    Reference& ref;
    std::vector<int>& gene_of_planned;  // planned index -> index in ref.genes
    Rng& rng;
    const ReferenceOptions& options;
};

/// A start for a gene of `span` bases inside the longest intron of `host`'s canonical isoform, at
/// least kMinGap from both exons; nothing if that intron is too short.
std::optional<std::uint64_t> nest_in_intron(const Gene& host, std::uint32_t span, Rng& rng) {
    const auto& exons = host.transcripts[0].exons;  // genomic order
    std::uint32_t best_start = 0, best_length = 0;
    for (std::size_t i = 0; i + 1 < exons.size(); ++i)
        if (exons[i + 1].start - exons[i].end > best_length) best_start = exons[i].end, best_length = exons[i + 1].start - exons[i].end;
    if (best_length < span + 2 * kMinGap) return std::nullopt;
    return best_start + kMinGap + rng.below(best_length - span - 2 * kMinGap + 1);
}

/// 2b. The genes order[first, last) on chromosome c, separated by random intergenic gaps that share
/// the free space; some overlap their predecessor's 3' end on the other strand, and (Primate) some
/// sit inside their predecessor's longest intron.
void place_chromosome(Placement& at, const std::vector<Planned>& planned, std::span<const std::size_t> genes,
                      std::uint32_t c, std::uint64_t chrom_length, std::uint32_t n_chrom) {
    auto& rng = at.rng;
    std::uint64_t span = 0;
    for (auto g : genes) span += planned[g].structure.span();
    const std::uint64_t needed = span + kMinGap * (genes.size() + 1);
    if (needed > chrom_length)
        throw OptionError("--genome-size " + std::to_string(at.options.genome_size) + " is too small for " +
                          std::to_string(at.options.genes) + " genes (needs about " + std::to_string(needed * n_chrom) +
                          " bases)");
    const std::uint64_t free_space = chrom_length - needed;
    std::vector<double> share(genes.size() + 1);
    double total = 0;
    std::exponential_distribution<double> expo(1.0);
    for (auto& s : share) total += (s = expo(rng));
    at.ref.chrom_names.push_back("chr" + std::to_string(c + 1));
    std::uint64_t pos = 0;
    std::optional<std::size_t> previous;  // the last gene not nested in another (index in ref.genes)
    for (std::size_t k = 0; k < genes.size(); ++k) {
        const auto& p = planned[genes[k]];
        const auto gap = kMinGap + static_cast<std::uint64_t>(free_space * share[k] / total);
        char strand = rng.uniform() < 0.5 ? '+' : '-';
        std::uint64_t start = pos + gap;
        std::optional<std::uint64_t> nested;
        if (at.options.gene_model == GeneModel::Primate && previous && rng.uniform() < at.options.nested_fraction) {
            const Gene& host = at.ref.genes[*previous];
            nested = nest_in_intron(host, p.structure.span(), rng);
            if (nested) {
                start = *nested;
                strand = rng.uniform() < 0.7 ? (host.strand == '+' ? '-' : '+') : host.strand;
            }
        }
        if (!nested && previous && at.ref.genes[*previous].strand == '+' && rng.uniform() < at.options.antisense_fraction) {
            const Gene* before = &at.ref.genes[*previous];
            // Convergent overlap: this gene's 3' end (on '-') runs into the previous gene's 3' end.
            const std::uint32_t prev_last = before->transcripts[0].exons.back().length();
            const std::uint32_t overlap = std::min({600U, prev_last / 2, p.structure.exons.back() / 2});
            strand = '-';
            start = before->end - overlap;
        }
        Gene gene;
        gene.name = p.name;
        gene.category = p.category;
        gene.chrom = c;
        gene.strand = strand;
        gene.transcripts.push_back({"", place_exons(p.structure, static_cast<std::uint32_t>(start), strand), 1.0, ""});
        add_isoforms(gene, rng, at.options.alt_isoform_fraction);
        gene.start = static_cast<std::uint32_t>(start);
        gene.end = static_cast<std::uint32_t>(start + p.structure.span());
        at.gene_of_planned[genes[k]] = static_cast<int>(at.ref.genes.size());
        at.ref.genes.push_back(std::move(gene));
        if (nested) continue;
        previous = at.ref.genes.size() - 1;
        pos = std::max<std::uint64_t>(pos, at.ref.genes.back().end);
    }
    at.ref.chrom_sequences.emplace_back(std::max<std::uint64_t>(chrom_length, pos + kMinGap), 'N');
}

/// 2c. Mitochondrial contig: genes back to back, as on the real compact chrM.
void add_mitochondrion(Reference& ref, Rng& rng) {
    ref.chrom_names.push_back("chrM");
    ref.chrom_sequences.emplace_back(kMitoLength, 'N');
    std::uint32_t pos = 577;
    for (const auto& m : mito_genes()) {
        Gene gene;
        gene.name = std::string(m.name);
        gene.category = GeneCategory::Mitochondrial;
        gene.chrom = static_cast<std::uint32_t>(ref.chrom_names.size() - 1);
        gene.strand = m.strand;
        gene.start = pos;
        gene.end = pos + m.length;
        gene.transcripts.push_back({"", {{pos, pos + m.length}}, 1.0, ""});
        ref.genes.push_back(std::move(gene));
        pos += m.length + 40 + static_cast<std::uint32_t>(rng.below(80));
    }
}

/// 3. Sequence: random, paralogs' exons copied with divergence, then splice sites.
void write_sequences(Reference& ref, const std::vector<Planned>& planned, const std::vector<int>& gene_of_planned,
                     const ReferenceOptions& options, Rng& rng) {
    for (auto& seq : ref.chrom_sequences) fill_random(seq, rng);
    for (std::size_t i = 0; i < planned.size(); ++i) {
        if (planned[i].paralog_source < 0) continue;
        const auto source_index = static_cast<std::size_t>(gene_of_planned[static_cast<std::size_t>(planned[i].paralog_source)]);
        const Gene& source = ref.genes[source_index];
        Gene& copy = ref.genes[static_cast<std::size_t>(gene_of_planned[i])];
        copy.paralog_of = std::to_string(source_index);
        const auto src_exons = transcript_order(source.transcripts[0].exons, source.strand);
        const auto dst_exons = transcript_order(copy.transcripts[0].exons, copy.strand);
        for (std::size_t e = 0; e < src_exons.size(); ++e) {
            std::string piece = oriented_sequence(ref, source.chrom, src_exons[e].start, src_exons[e].end, source.strand);
            for (auto& base : piece)
                if (rng.uniform() < options.paralog_divergence) base = "ACGT"[(dna::encode_base(base) + 1 + rng.below(3)) % 4];
            if (copy.strand == '-') piece = dna::reverse_complement(piece);
            ref.chrom_sequences[copy.chrom].replace(dst_exons[e].start, piece.size(), piece);
        }
    }
    set_splice_sites(ref);
}

/// 4. Genes sorted by position and named in that order (paralog links follow), transcripts named
/// and their mRNA sequences built.
void sort_and_name(Reference& ref) {
    std::vector<std::size_t> gene_order(ref.genes.size());
    for (std::size_t i = 0; i < gene_order.size(); ++i) gene_order[i] = i;
    std::stable_sort(gene_order.begin(), gene_order.end(), [&](std::size_t a, std::size_t b) {
        const auto& x = ref.genes[a];
        const auto& y = ref.genes[b];
        return x.chrom != y.chrom ? x.chrom < y.chrom : x.start < y.start;
    });
    std::vector<std::size_t> new_index(ref.genes.size());
    for (std::size_t i = 0; i < gene_order.size(); ++i) new_index[gene_order[i]] = i;
    std::vector<Gene> sorted;
    sorted.reserve(ref.genes.size());
    for (auto i : gene_order) sorted.push_back(std::move(ref.genes[i]));
    for (std::size_t i = 0; i < sorted.size(); ++i) sorted[i].id = gene_id(i);
    for (auto& g : sorted)
        if (!g.paralog_of.empty()) g.paralog_of = sorted[new_index[std::stoul(g.paralog_of)]].id;
    ref.genes = std::move(sorted);
    for (auto& gene : ref.genes) {
        for (std::size_t t = 0; t < gene.transcripts.size(); ++t) {
            auto& tx = gene.transcripts[t];
            char suffix[24];
            std::snprintf(suffix, sizeof suffix, "%03zu", t + 1);
            tx.id = "KPFT" + gene.id.substr(4) + suffix;
            for (const auto& e : transcript_order(tx.exons, gene.strand))
                tx.sequence += oriented_sequence(ref, gene.chrom, e.start, e.end, gene.strand);
            gene.start = std::min(gene.start, tx.exons.front().start);
            gene.end = std::max(gene.end, tx.exons.back().end);
        }
    }
}

}  // namespace

Reference simulate_reference(const ReferenceOptions& options) {
    if (options.genes < named_genes().size())
        throw OptionError("--genes must be at least " + std::to_string(named_genes().size()) + " (the named marker genes)");
    Rng rng(options.seed, 0x5EF);
    const auto planned = plan_genes(options, rng);

    // 2. Order along the genome, then chromosome by chromosome.
    std::vector<std::size_t> order(planned.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    const std::uint64_t max_chrom = options.gene_model == GeneModel::Primate ? 150'000'000 : 5'000'000;
    const auto n_chrom = static_cast<std::uint32_t>(std::max<std::uint64_t>(1, (options.genome_size + max_chrom - 1) / max_chrom));
    const std::uint64_t chrom_length = options.genome_size / n_chrom;
    Reference ref;
    std::vector<int> gene_of_planned(planned.size(), -1);
    Placement at{ref, gene_of_planned, rng, options};
    for (std::uint32_t c = 0; c < n_chrom; ++c) {
        const std::size_t first = order.size() * c / n_chrom;
        const std::size_t last = (c + 1 == n_chrom) ? order.size() : order.size() * (c + 1) / n_chrom;
        place_chromosome(at, planned, std::span(order).subspan(first, last - first), c, chrom_length, n_chrom);
    }
    add_mitochondrion(ref, rng);
    write_sequences(ref, planned, gene_of_planned, options, rng);
    sort_and_name(ref);
    return ref;
}

void write_fasta(const Reference& reference, const std::filesystem::path& path) {
    // Streamed a few MB at a time: a primate genome is 3 GB of text.
    AtomicFile file(path);
    std::string text;
    for (std::size_t c = 0; c < reference.chrom_names.size(); ++c) {
        text += ">" + reference.chrom_names[c] + "\n";
        const auto& seq = reference.chrom_sequences[c];
        for (std::size_t i = 0; i < seq.size(); i += 60) {
            text.append(seq, i, 60);
            text.push_back('\n');
            if (text.size() >= (std::size_t{4} << 20)) file.write(text), text.clear();
        }
    }
    file.write(text);
    file.commit();
}

void write_gtf(const Reference& reference, const std::filesystem::path& path) {
    std::string text;
    if (reference.annotation.empty()) {
        text = "#!genome-build kupffer-simulated\n#!genome-version 1\n";
    } else {
        TextReader annotation(reference.annotation);
        std::string original;
        while (annotation.next_line(original)) text += original + "\n";
    }
    auto line = [&](const Gene& g, const char* feature, std::uint32_t start, std::uint32_t end, const std::string& attrs) {
        text += reference.chrom_names[g.chrom] + "\tkupffer\t" + feature + "\t" + std::to_string(start + 1) + "\t" +
                std::to_string(end) + "\t.\t" + g.strand + "\t.\t" + attrs + "\n";
    };
    for (std::size_t i = reference.annotated_genes; i < reference.genes.size(); ++i) {
        const Gene& g = reference.genes[i];
        const std::string gene_attrs = "gene_id \"" + g.id + "\"; gene_version \"1\"; gene_name \"" + g.name +
                                       "\"; gene_source \"kupffer\"; gene_biotype \"protein_coding\";";
        line(g, "gene", g.start, g.end, gene_attrs);
        for (std::size_t t = 0; t < g.transcripts.size(); ++t) {
            const auto& tx = g.transcripts[t];
            const std::string tx_attrs = "gene_id \"" + g.id + "\"; gene_version \"1\"; transcript_id \"" + tx.id +
                                         "\"; transcript_version \"1\"; gene_name \"" + g.name +
                                         "\"; gene_source \"kupffer\"; gene_biotype \"protein_coding\"; transcript_name \"" +
                                         g.name + "-" + std::to_string(201 + t) +
                                         "\"; transcript_source \"kupffer\"; transcript_biotype \"protein_coding\";";
            line(g, "transcript", tx.exons.front().start, tx.exons.back().end, tx_attrs);
            const auto ordered = transcript_order(tx.exons, g.strand);
            for (std::size_t e = 0; e < ordered.size(); ++e)
                line(g, "exon", ordered[e].start, ordered[e].end,
                     tx_attrs + " exon_number \"" + std::to_string(e + 1) + "\"; exon_id \"" + tx.id + "E" +
                         std::to_string(e + 1) + "\";");
        }
    }
    write_text_file(path, text);
}

}  // namespace kupffer::simulate
