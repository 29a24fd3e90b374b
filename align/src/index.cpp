#include "kupffer/align/index.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "kupffer/align/reference_files.hpp"
#include "binary_arrays.hpp"
#include "kmer_table.hpp"
#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/output_file.hpp"
#include "kupffer/core/parallel.hpp"
#include "kupffer/core/random.hpp"
#include "kupffer/core/read_at.hpp"

namespace kupffer::align {

namespace fs = std::filesystem;

namespace {

/// When the GTF's contigs are named differently from the FASTA's (Ensembl's "1" vs UCSC's
/// "chr1", or "MT" vs "chrM"), says so: one sentence to append to the unknown-contig error.
std::string contig_naming_hint(const Genome& genome, const Annotation& ann) {
    std::size_t with_chr = 0, without_chr = 0, matching = 0;
    for (const auto& g : ann.genes) {
        if (genome.index.count(g.contig)) ++matching;
        else if (genome.index.count("chr" + g.contig)) ++without_chr;
        else if (g.contig.rfind("chr", 0) == 0 && genome.index.count(g.contig.substr(3))) ++with_chr;
    }
    const auto listed = [&] {
        std::string names;
        for (std::size_t i = 0; i < genome.names.size() && i < 3; ++i) names += (i ? ", " : "") + genome.names[i];
        return names + (genome.names.size() > 3 ? ", ..." : "");
    };
    if (without_chr > matching && without_chr >= with_chr)
        return "; the FASTA names its contigs with a 'chr' prefix (" + listed() + ") and the GTF without: use a GTF and a FASTA "
               "from the same source (Ensembl names 1, 2, ...; UCSC chr1, chr2, ...)";
    if (with_chr > matching)
        return "; the GTF names its contigs with a 'chr' prefix and the FASTA without (" + listed() + "): use a GTF and a FASTA "
               "from the same source (Ensembl names 1, 2, ...; UCSC chr1, chr2, ...)";
    return " (its contigs: " + listed() + ")";
}

constexpr char kMagic[8] = {'K', 'P', 'F', 'I', 'D', 'X', '\0', '\1'};
constexpr const char* kBinaryName = "kmers.bin";
constexpr const char* kMetaName = "index.json";

std::uint32_t crc_of_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(path.string(), "open", errno ? errno : ENOENT);
    std::vector<char> buffer(1 << 20);
    uLong crc = crc32(0L, Z_NULL, 0);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        crc = crc32_z(crc, reinterpret_cast<const Bytef*>(buffer.data()), static_cast<z_size_t>(in.gcount()));
    }
    return static_cast<std::uint32_t>(crc);
}

std::string oriented(const std::string& contig, std::uint32_t start, std::uint32_t end, char strand) {
    std::string_view piece(contig.data() + start, end - start);
    return strand == '+' ? std::string(piece) : dna::reverse_complement(piece);
}

}  // namespace

std::uint64_t fingerprint_reference(const fs::path& fasta, const fs::path& gtf, std::uint32_t k) {
    const std::uint64_t a = crc_of_file(fasta), b = crc_of_file(gtf);
    return fmix64((a << 32 | b) ^ fmix64(static_cast<std::uint64_t>(k) << 8 | kIndexFormatVersion));
}

namespace {

/// The sequences the index holds, with what each is (IndexTarget) and where it lies (TargetLayout).
struct Targets {
    std::vector<IndexTarget> targets;
    std::vector<TargetLayout> layouts;
    std::vector<std::string> sequences;
};

/// The contig a gene lies on; InputError naming the GTF line if the FASTA lacks it or it is too short.
const std::string& contig_of(const AnnotatedGene& g, const Genome& genome, const Annotation& ann, const fs::path& fasta, const fs::path& gtf) {
    auto it = genome.index.find(g.contig);
    if (it == genome.index.end())
        throw InputError(gtf.string(), g.line, "gene " + g.id + " is on contig '" + g.contig + "', which is not in " + fasta.string() +
                                                   contig_naming_hint(genome, ann));
    const std::string& seq = genome.sequences[it->second];
    if (g.end > seq.size())
        throw InputError(gtf.string(), g.end_line, "gene " + g.id + " ends at " + std::to_string(g.end) + ", beyond the end of " + g.contig +
                                                       " (" + std::to_string(seq.size()) + " bases)");
    return seq;
}

/// Every transcript's mature sequence, in the transcript's orientation.
void add_transcripts(const Genome& genome, const Annotation& ann, const fs::path& fasta, const fs::path& gtf, Targets& t) {
    for (const auto& tx : ann.transcripts) {
        const auto& g = ann.genes[tx.gene];
        const std::string& contig = contig_of(g, genome, ann, fasta, gtf);
        std::string seq;
        if (g.strand == '+') {
            for (const auto& e : tx.exons) seq += contig.substr(e.start, e.end - e.start);
        } else {
            for (auto it = tx.exons.rbegin(); it != tx.exons.rend(); ++it) seq += oriented(contig, it->start, it->end, '-');
        }
        t.targets.push_back({tx.id, tx.gene, TargetKind::Transcript, static_cast<std::uint32_t>(seq.size())});
        TargetLayout layout{genome.index.at(g.contig), g.strand, {}};
        for (const auto& e : tx.exons) layout.blocks.emplace_back(e.start, e.end);
        t.layouts.push_back(std::move(layout));
        t.sequences.push_back(std::move(seq));
    }
}

/// Each gene's introns (its span minus the union of its exons), flanked by k-1 exonic bases.
void add_introns(const Genome& genome, const Annotation& ann, const fs::path& fasta, const fs::path& gtf, std::uint32_t k, Targets& t) {
    std::vector<std::vector<ExonInterval>> gene_exons(ann.genes.size());
    for (const auto& tx : ann.transcripts) gene_exons[tx.gene].insert(gene_exons[tx.gene].end(), tx.exons.begin(), tx.exons.end());
    for (std::uint32_t gi = 0; gi < ann.genes.size(); ++gi) {
        auto& exons = gene_exons[gi];
        std::sort(exons.begin(), exons.end(), [](auto& a, auto& b) { return a.start < b.start; });
        const auto& g = ann.genes[gi];
        const std::string& contig = contig_of(g, genome, ann, fasta, gtf);
        std::uint32_t covered = g.start;  // end of the union of exons so far
        std::uint32_t n = 0;
        for (const auto& e : exons) {
            if (e.start > covered) {
                const std::uint32_t a = std::max(g.start, covered >= k - 1 ? covered - (k - 1) : 0U);
                const std::uint32_t b = std::min(g.end, e.start + (k - 1));
                std::string seq = oriented(contig, a, b, g.strand);
                t.targets.push_back({g.id + "-I" + std::to_string(++n), gi, TargetKind::Intron, static_cast<std::uint32_t>(seq.size())});
                t.layouts.push_back({genome.index.at(g.contig), g.strand, {{a, b}}});
                t.sequences.push_back(std::move(seq));
            }
            covered = std::max(covered, e.end);
        }
    }
}

}  // namespace

Index Index::build(const fs::path& fasta, const fs::path& gtf, const IndexOptions& options) {
    if (options.k < 15 || options.k > 31 || options.k % 2 == 0)
        throw OptionError("k must be odd and between 15 and 31, got " + std::to_string(options.k));
    if (options.memory_bytes > 0) {
        const auto estimate = estimate_index(fasta, gtf, options);
        if (estimate.build_bytes > options.memory_bytes)
            throw OptionError("not enough memory for this index: " + describe(estimate) + "; allowed: " +
                              std::to_string(options.memory_bytes / 1000000) + " MB (--memory)");
    }
    Index index;
    index.k_ = options.k;
    index.fingerprint_ = fingerprint_reference(fasta, gtf, options.k);
    Targets t;  // transcripts, then each gene's flanked introns
    {
        const Genome genome = read_fasta(fasta);  // freed before the k-mers are gathered
        const Annotation ann = read_gtf(gtf);
        index.contig_names_ = genome.names;
        for (const auto& seq : genome.sequences) index.contig_lengths_.push_back(static_cast<std::uint32_t>(seq.size()));
        for (const auto& g : ann.genes) {
            index.gene_ids_.push_back(g.id);
            index.gene_names_.push_back(g.name);
        }
        add_transcripts(genome, ann, fasta, gtf, t);
        add_introns(genome, ann, fasta, gtf, options.k, t);
    }
    index.targets_ = std::move(t.targets);
    index.layouts_ = std::move(t.layouts);
    KmerTable::Options table_options;
    table_options.k = options.k;
    table_options.threads = options.threads;
    *index.table_ = KmerTable::build(t.sequences, table_options);
    return index;
}

Index::Index() : table_(std::make_unique<KmerTable>()) {}
Index::~Index() = default;
Index::Index(Index&&) noexcept = default;
Index& Index::operator=(Index&&) noexcept = default;

std::size_t Index::distinct_kmers() const noexcept { return table_->distinct(); }
std::size_t Index::postings() const noexcept { return table_->occurrences(); }
std::uint64_t Index::table_bytes() const noexcept { return table_->memory_bytes(); }

std::span<const Posting> Index::find(std::uint64_t kmer, std::vector<Posting>& out) const {
    table_->find(kmer, out);
    return out;
}

void Index::find_many(std::span<const std::uint64_t> kmers, std::vector<Posting>& out, std::vector<std::uint32_t>& ends) const {
    table_->find_many(kmers, out, ends);
}

std::vector<Posting> Index::find(std::uint64_t kmer) const {
    std::vector<Posting> out;
    table_->find(kmer, out);
    return out;
}

void Index::save(const fs::path& folder, bool overwrite, const std::function<void(const fs::path&)>& before_commit) const {
    StagingDirectory staging(folder, overwrite);
    nlohmann::json meta = {{"software", "kupffer"},       {"format_version", kIndexFormatVersion},
                           {"k", k_},                     {"fingerprint", fingerprint_},
                           {"gene_ids", gene_ids_},       {"gene_names", gene_names_},
                           {"distinct_kmers", distinct_kmers()}, {"postings", postings()}};
    auto& targets = meta["targets"] = nlohmann::json::array();
    for (const auto& t : targets_) targets.push_back({t.name, t.gene, static_cast<int>(t.kind), t.length});
    meta["contigs"] = nlohmann::json::array();
    for (std::size_t c = 0; c < contig_names_.size(); ++c) meta["contigs"].push_back({contig_names_[c], contig_lengths_[c]});
    write_text_file(staging.staging() / kMetaName, meta.dump() + "\n");
    AtomicFile bin(staging.staging() / kBinaryName);
    bin.write(std::string_view(kMagic, sizeof kMagic));
    const std::uint32_t header[2] = {kIndexFormatVersion, k_};
    bin.write(std::string_view(reinterpret_cast<const char*>(header), sizeof header));
    bin.write(std::string_view(reinterpret_cast<const char*>(&fingerprint_), sizeof fingerprint_));
    table_->save(bin);
    // Layouts: per target (contig, strand, first block), then all blocks.
    std::vector<std::uint32_t> layout_heads;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> blocks;
    for (const auto& l : layouts_) {
        layout_heads.insert(layout_heads.end(), {l.contig, static_cast<std::uint32_t>(l.strand), static_cast<std::uint32_t>(blocks.size())});
        blocks.insert(blocks.end(), l.blocks.begin(), l.blocks.end());
    }
    write_array(bin, layout_heads);
    write_array(bin, blocks);
    bin.commit();
    if (before_commit) before_commit(staging.staging());
    staging.commit();
}

Index Index::load(const fs::path& folder, std::optional<std::uint64_t> expected_fingerprint, int threads) {
    const fs::path meta_path = folder / kMetaName, bin_path = folder / kBinaryName;
    if (!fs::exists(meta_path) || !fs::exists(bin_path))
        throw InputError(folder.string(), 0, "not a kupffer index (missing " + std::string(kMetaName) + " or " + kBinaryName + ")");
    nlohmann::json meta;
    try {
        std::ifstream in(meta_path);
        meta = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(meta_path.string(), 0, std::string("unreadable index metadata: ") + e.what());
    }
    const auto version = meta.value("format_version", 0U);
    if (version != kIndexFormatVersion)
        throw InputError(folder.string(), 0,
                         "index format version " + std::to_string(version) + " was written by another kupffer; this one reads version " +
                             std::to_string(kIndexFormatVersion) + ": rebuild it with `kupffer index`");
    Index index;
    index.k_ = meta.at("k").get<std::uint32_t>();
    index.fingerprint_ = meta.at("fingerprint").get<std::uint64_t>();
    if (expected_fingerprint && *expected_fingerprint != index.fingerprint_)
        throw InputError(folder.string(), 0, "index was built from a different genome FASTA or GTF than the one given: rebuild it");
    index.gene_ids_ = meta.at("gene_ids").get<std::vector<std::string>>();
    index.gene_names_ = meta.at("gene_names").get<std::vector<std::string>>();
    for (const auto& t : meta.at("targets"))
        index.targets_.push_back({t[0].get<std::string>(), t[1].get<std::uint32_t>(), static_cast<TargetKind>(t[2].get<int>()),
                                  t[3].get<std::uint32_t>()});
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(bin_path.c_str(), "rb"), &std::fclose);
    if (!f) throw IoError(bin_path.string(), "open", errno);
    char magic[sizeof kMagic];
    std::uint32_t header[2];
    std::uint64_t fingerprint = 0;
    if (std::fread(magic, 1, sizeof magic, f.get()) != sizeof magic || std::memcmp(magic, kMagic, sizeof magic) != 0 ||
        std::fread(header, sizeof header, 1, f.get()) != 1 || std::fread(&fingerprint, sizeof fingerprint, 1, f.get()) != 1)
        throw InputError(bin_path.string(), 0, "not a kupffer index file");
    if (header[0] != kIndexFormatVersion || header[1] != index.k_ || fingerprint != index.fingerprint_)
        throw InputError(bin_path.string(), 0, "index files disagree with each other: rebuild the index");
    *index.table_ = KmerTable::load(f.get(), bin_path, threads);
    if (index.table_->k() != index.k_ || index.table_->bases() != [&] {
            std::uint64_t bases = 0;
            for (const auto& t : index.targets_) bases += t.length;
            return bases;
        }())
        throw InputError(bin_path.string(), 0, "corrupt index file (targets and k-mer table disagree)");
    for (const auto& c : meta.at("contigs")) {
        index.contig_names_.push_back(c[0].get<std::string>());
        index.contig_lengths_.push_back(c[1].get<std::uint32_t>());
    }
    std::vector<std::uint32_t> layout_heads;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> blocks;
    read_array(f.get(), bin_path, layout_heads, threads);
    read_array(f.get(), bin_path, blocks, threads);
    if (layout_heads.size() != 3 * index.targets_.size()) throw InputError(bin_path.string(), 0, "corrupt index file (target layouts)");
    for (std::size_t t = 0; t < index.targets_.size(); ++t) {
        const std::uint32_t contig = layout_heads[3 * t], first = layout_heads[3 * t + 2];
        const std::uint32_t last = t + 1 < index.targets_.size() ? layout_heads[3 * t + 5] : static_cast<std::uint32_t>(blocks.size());
        if (contig >= index.contig_names_.size() || first >= last || last > blocks.size())
            throw InputError(bin_path.string(), 0, "corrupt index file (target layouts)");
        index.layouts_.push_back({contig, static_cast<char>(layout_heads[3 * t + 1]),
                                  {blocks.begin() + first, blocks.begin() + last}});
    }
    return index;
}

}  // namespace kupffer::align
