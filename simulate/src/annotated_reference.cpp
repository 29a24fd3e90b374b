// A simulated study over a real annotation (`kupffer simulate --gtf`): the GTF's gene models with
// all their quirks (overlapping, antisense and nested genes, readthrough transcripts, shared
// exons), so that tests and benchmarks meet them as real runs do.
#include <algorithm>
#include <map>
#include <set>

#include "kupffer/align/reference_files.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/random.hpp"
#include "kupffer/simulate/reference.hpp"
#include "reference_parts.hpp"

namespace kupffer::simulate {

using namespace internal;

namespace {

constexpr std::uint32_t kContigMargin = 100'000;  // random sequence past a contig's last exon
// Transcripts shorter than this are mature small RNAs (RefSeq lists each miRNA's 21-24 nt
// products as transcripts): not polyadenylated, so a 10x library does not capture them. They
// stay in the GTF, but no molecule comes from them.
constexpr std::uint32_t kMinCapturedLength = 50;

/// The GTF's contigs: the genome's, in its order, or those the genes name, in order of first use,
/// on random sequence.
void add_contigs(Reference& ref, const align::Annotation& ann, const std::filesystem::path& genome_path, Rng& rng) {
    if (!genome_path.empty()) {
        auto genome = align::read_fasta(genome_path);
        ref.chrom_names = std::move(genome.names);
        ref.chrom_sequences = std::move(genome.sequences);
        return;
    }
    std::map<std::string, std::uint64_t> length;
    for (const auto& g : ann.genes) {
        auto [it, added] = length.try_emplace(g.contig, 0);
        if (added) ref.chrom_names.push_back(g.contig);
        it->second = std::max<std::uint64_t>(it->second, g.end + std::uint64_t{kContigMargin});
    }
    for (const auto& name : ref.chrom_names) {
        ref.chrom_sequences.emplace_back(length[name], 'N');
        fill_random(ref.chrom_sequences.back(), rng);
    }
}

GeneCategory category_of(const std::string& name) {
    for (const auto& g : named_genes())
        if (g.name == name) return g.category;
    for (const auto& m : mito_genes())
        if (m.name == name) return GeneCategory::Mitochondrial;
    return GeneCategory::Background;
}

/// The GTF's genes on `ref`'s contigs, sorted by (contig, start), their isoforms weighted: the
/// first listed 1, the others a random 0.1-1.
void add_annotated_genes(Reference& ref, const align::Annotation& ann, const std::filesystem::path& gtf, Rng& rng) {
    std::map<std::string, std::uint32_t> contig;
    for (std::uint32_t c = 0; c < ref.chrom_names.size(); ++c) contig.emplace(ref.chrom_names[c], c);
    std::vector<Gene> genes(ann.genes.size());
    for (std::size_t i = 0; i < ann.genes.size(); ++i) {
        const auto& a = ann.genes[i];
        const auto it = contig.find(a.contig);
        if (it == contig.end())
            throw InputError(gtf.string(), a.line, "gene " + a.id + " is on contig " + a.contig + ", which the genome lacks");
        if (a.end > ref.chrom_sequences[it->second].size())
            throw InputError(gtf.string(), a.end_line, "gene " + a.id + " ends at " + std::to_string(a.end) + ", past the end of " +
                                                          a.contig + " (" + std::to_string(ref.chrom_sequences[it->second].size()) + " bases)");
        genes[i] = {a.id, a.name, category_of(a.name), it->second, a.strand, a.start, a.end, {}, ""};
    }
    for (const auto& t : ann.transcripts) {
        Transcript tx{t.id, {}, genes[t.gene].transcripts.empty() ? 1.0 : 0.1 + 0.9 * rng.uniform(), ""};
        std::uint32_t length = 0;
        for (const auto& e : t.exons) tx.exons.push_back({e.start, e.end}), length += e.end - e.start;
        if (length >= kMinCapturedLength) genes[t.gene].transcripts.push_back(std::move(tx));
    }
    std::erase_if(genes, [](const Gene& g) { return g.transcripts.empty(); });  // small RNAs only
    for (auto& g : genes) {  // the span of the transcripts kept
        g.start = g.transcripts.front().exons.front().start, g.end = g.transcripts.front().exons.back().end;
        for (const auto& tx : g.transcripts)
            g.start = std::min(g.start, tx.exons.front().start), g.end = std::max(g.end, tx.exons.back().end);
    }
    std::stable_sort(genes.begin(), genes.end(),
                     [](const Gene& x, const Gene& y) { return x.chrom != y.chrom ? x.chrom < y.chrom : x.start < y.start; });
    ref.genes = std::move(genes);
}

/// The catalogue's genes that the annotation lacks, on a compact simulated genome of their own
/// whose contigs are renamed kupffer_<name>.
void add_missing_catalogue_genes(Reference& ref, std::uint64_t seed) {
    std::set<std::string> present;
    for (const auto& g : ref.genes) present.insert(g.name);
    ReferenceOptions o;
    o.seed = seed;
    o.genes = static_cast<std::uint32_t>(named_genes().size());
    o.genome_size = std::max<std::uint64_t>(1'000'000, std::uint64_t{12'000} * o.genes);
    Reference catalogue = simulate_reference(o);
    const auto offset = static_cast<std::uint32_t>(ref.chrom_names.size());
    for (std::size_t c = 0; c < catalogue.chrom_names.size(); ++c) {
        ref.chrom_names.push_back("kupffer_" + catalogue.chrom_names[c]);
        ref.chrom_sequences.push_back(std::move(catalogue.chrom_sequences[c]));
    }
    for (auto& g : catalogue.genes) {
        if (present.count(g.name)) continue;
        g.chrom += offset;
        ref.genes.push_back(std::move(g));
    }
}

}  // namespace

Reference annotated_reference(const AnnotatedReferenceOptions& options) {
    const auto ann = align::read_gtf(options.gtf);
    if (ann.genes.empty()) throw InputError(options.gtf.string(), 0, "has no exon lines: no genes to place reads on");
    Rng rng(options.seed, 0xA77);
    Reference ref;
    ref.annotation = options.gtf;
    add_contigs(ref, ann, options.genome, rng);
    add_annotated_genes(ref, ann, options.gtf, rng);
    ref.annotated_genes = ref.genes.size();
    if (options.genome.empty()) set_splice_sites(ref);
    for (auto& gene : ref.genes)
        for (auto& tx : gene.transcripts)
            for (const auto& e : transcript_order(tx.exons, gene.strand))
                tx.sequence += oriented_sequence(ref, gene.chrom, e.start, e.end, gene.strand);
    add_missing_catalogue_genes(ref, options.seed);
    return ref;
}

}  // namespace kupffer::simulate
