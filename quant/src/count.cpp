#include "kupffer/quant/count.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <cmath>

#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/parallel.hpp"
#include "kupffer/core/umi_clusters.hpp"

namespace kupffer::quant {

using align::Record;

std::size_t count_directional(const std::vector<std::pair<std::uint64_t, std::uint32_t>>& umis, std::uint32_t umi_length) {
    return directional_clusters(umis, umi_length);
}

namespace {

struct Molecule {
    std::uint32_t gene;
    std::uint64_t umi;
    std::uint32_t reads;
    std::uint8_t status;  // 0 spliced, 1 unspliced, 2 ambiguous
};

struct BarcodeCounts {
    std::vector<Triplet> all, spliced, unspliced, ambiguous;  // row = gene, col filled later
    std::uint64_t reads = 0, bad_umi = 0, multi_gene = 0, merged = 0, counted_reads = 0, em = 0;
};

struct MultiGeneMolecule {
    std::vector<std::uint32_t> genes;
    Molecule molecule;  // gene filled once assigned
};

constexpr double kEmMinPosterior = 0.9;

/// EM over one barcode's molecules: abundances from unique molecules plus the expected share of
/// each multi-gene one; then each multi-gene molecule to its most probable gene if that gene
/// takes at least 90% of it (else dropped).
void assign_by_em(std::vector<MultiGeneMolecule>& multi, std::vector<Molecule>& molecules, BarcodeCounts& out) {
    std::vector<std::uint32_t> genes;
    for (const auto& m : multi) genes.insert(genes.end(), m.genes.begin(), m.genes.end());
    std::sort(genes.begin(), genes.end());
    genes.erase(std::unique(genes.begin(), genes.end()), genes.end());
    auto index_of = [&](std::uint32_t g) { return static_cast<std::size_t>(std::lower_bound(genes.begin(), genes.end(), g) - genes.begin()); };
    std::vector<double> unique(genes.size(), 0.0);
    for (const auto& m : molecules)
        if (std::binary_search(genes.begin(), genes.end(), m.gene)) unique[index_of(m.gene)] += 1;
    // Start: unique counts plus an even share of every multi-gene molecule.
    std::vector<double> abundance = unique, next(genes.size());
    for (const auto& m : multi)
        for (auto g : m.genes) abundance[index_of(g)] += 1.0 / static_cast<double>(m.genes.size());
    for (int iteration = 0; iteration < 1000; ++iteration) {
        next = unique;
        for (const auto& m : multi) {
            double total = 0;
            for (auto g : m.genes) total += abundance[index_of(g)];
            if (total <= 0) continue;
            for (auto g : m.genes) next[index_of(g)] += abundance[index_of(g)] / total;
        }
        double change = 0;
        for (std::size_t i = 0; i < genes.size(); ++i) change = std::max(change, std::abs(next[i] - abundance[i]));
        abundance.swap(next);
        if (change < 1e-8) break;
    }
    for (auto& m : multi) {
        // The gene must carry at least kEmMinPosterior of the molecule: where the data cannot tell
        // the genes apart (no other evidence for any of them) the EM's split is arbitrary.
        double best = 0, total = 0;
        std::uint32_t best_gene = 0;
        for (auto g : m.genes) {
            const double a = abundance[index_of(g)];
            total += a;
            if (a > best) best = a, best_gene = g;
        }
        if (!(total > 0) || best / total < kEmMinPosterior) {
            out.multi_gene += m.molecule.reads;
            continue;
        }
        m.molecule.gene = best_gene;
        molecules.push_back(m.molecule);
        ++out.em;
    }
}

/// Counts one barcode's records [begin, end) (sorted by UMI, then class).
void count_barcode(const align::RecordFile& file, const Record* begin, const Record* end, const CountOptions& options,
                   BarcodeCounts& out) {
    std::vector<Molecule> molecules;
    std::vector<MultiGeneMolecule> multi;
    std::vector<std::uint32_t> genes, next;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> support;  // (gene, reads) when classes disagree
    std::vector<const Record*> good;  // one UMI's records with a usable UMI
    for (const Record* r = begin; r != end;) {
        // The UMI's records; those whose UMI held an N (stored as A) or is a homopolymer are
        // dropped one by one: an N read must not take down the real UMI it packs onto.
        const Record* u = r;
        std::uint32_t reads = 0;
        bool unspliced = false, spliced = false;
        good.clear();
        while (u != end && u->umi == r->umi) {
            out.reads += u->count;
            if (u->flags & (align::kUmiHasN | align::kUmiHomopolymer)) {
                out.bad_umi += u->count;
            } else {
                reads += u->count;
                const auto status = u->flags & align::kSpliceMask;
                unspliced |= status == 1;
                spliced |= status == 0;
                good.push_back(u);
            }
            ++u;
        }
        if (good.empty()) {
            r = u;
            continue;
        }
        // The molecule's gene: the intersection of its reads' classes; failing that, the genes
        // supported by most reads.
        genes = file.eq_classes[good.front()->eq_class];
        for (std::size_t i = 1; i < good.size() && !genes.empty(); ++i) {
            const auto& ec = file.eq_classes[good[i]->eq_class];
            next.clear();
            std::set_intersection(genes.begin(), genes.end(), ec.begin(), ec.end(), std::back_inserter(next));
            genes.swap(next);
        }
        if (genes.empty()) {
            support.clear();
            for (const Record* x : good)
                for (auto g : file.eq_classes[x->eq_class]) support.emplace_back(g, x->count);
            std::sort(support.begin(), support.end());
            std::uint32_t best = 0;
            std::vector<std::uint32_t> best_genes;
            for (std::size_t i = 0; i < support.size();) {
                std::size_t j = i;
                std::uint32_t total = 0;
                for (; j < support.size() && support[j].first == support[i].first; ++j) total += support[j].second;
                if (total > best) best = total, best_genes.assign(1, support[i].first);
                else if (total == best) best_genes.push_back(support[i].first);
                i = j;
            }
            genes = best_genes;
        }
        const std::uint8_t status = unspliced ? 1 : spliced ? 0 : 2;
        if (genes.size() != 1) {
            if (options.multi_gene == MultiGenePolicy::Em && genes.size() > 1) multi.push_back({genes, {0, r->umi, reads, status}});
            else out.multi_gene += reads;
            r = u;
            continue;
        }
        molecules.push_back({genes[0], r->umi, reads, status});
        r = u;
    }
    if (!multi.empty()) assign_by_em(multi, molecules, out);
    // Per gene, collapse UMIs.
    std::sort(molecules.begin(), molecules.end(), [](const Molecule& a, const Molecule& b) {
        return a.gene != b.gene ? a.gene < b.gene : a.umi < b.umi;
    });
    std::vector<std::pair<std::uint64_t, std::uint32_t>> umis;
    for (std::size_t i = 0; i < molecules.size();) {
        std::size_t j = i;
        while (j < molecules.size() && molecules[j].gene == molecules[i].gene) ++j;
        // Layers: each layer's UMIs collapse separately, so the layers sum to at most the total.
        // When all of a gene's molecules share one status (most genes), that layer's UMIs are the
        // gene's UMIs: collapsed once.
        const auto counted = [&](const Molecule& m) { return options.include_introns || m.status != 1; };
        const auto collapse = [&](auto keep) {
            umis.clear();
            for (std::size_t k = i; k < j; ++k)
                if (keep(molecules[k])) umis.emplace_back(molecules[k].umi, molecules[k].reads);
            return static_cast<std::uint32_t>(options.umi_method == UmiMethod::Exact ? umis.size() : count_directional(umis, file.umi_length));
        };
        const auto first = molecules.begin() + static_cast<std::ptrdiff_t>(i), last = molecules.begin() + static_cast<std::ptrdiff_t>(j);
        const std::uint8_t status = molecules[i].status;
        std::uint32_t by_status[3] = {0, 0, 0}, n = 0;
        if (std::all_of(first, last, [&](const Molecule& m) { return m.status == status; })) {
            by_status[status] = collapse([](const Molecule&) { return true; });
            n = counted(molecules[i]) ? by_status[status] : 0;
        } else {
            for (std::uint8_t s = 0; s < 3; ++s) by_status[s] = collapse([&](const Molecule& m) { return m.status == s; });
            n = collapse(counted);
        }
        std::uint32_t gene_reads = 0;
        std::size_t counted_umis = 0;
        for (auto m = first; m != last; ++m)
            if (counted(*m)) gene_reads += m->reads, ++counted_umis;
        out.merged += counted_umis - n;
        out.counted_reads += gene_reads;
        const std::uint32_t gene = molecules[i].gene;
        if (n) out.all.push_back({gene, 0, n});
        if (by_status[0]) out.spliced.push_back({gene, 0, by_status[0]});
        if (by_status[1]) out.unspliced.push_back({gene, 0, by_status[1]});
        if (by_status[2]) out.ambiguous.push_back({gene, 0, by_status[2]});
        i = j;
    }
}

}  // namespace

namespace {

/// Counts complete barcodes as they arrive, in file order, appending each barcode's column to the
/// matrices (CSC built directly: columns come in order, rows ascending within each), so memory is
/// the matrices plus one block of records.
class Counter {
public:
    Counter(const align::RecordFile& header, const CountOptions& options) : header_(header), options_(options) {
        results_.gene_ids = header.gene_ids;
        results_.gene_names = header.gene_names;
        results_.barcode_length = header.barcode_length;
        for (auto* m : matrices()) m->n_rows = static_cast<std::uint32_t>(header.gene_ids.size());
    }

    /// Records of whole barcodes, sorted, following those added before.
    void add(std::span<const Record> records) {
        starts_.clear();
        for (std::size_t i = 0; i < records.size(); ++i)
            if (i == 0 || records[i].barcode != records[i - 1].barcode) starts_.push_back(i);
        starts_.push_back(records.size());
        const std::size_t n_barcodes = starts_.size() - 1;
        per_.assign(n_barcodes, BarcodeCounts{});
        parallel_chunks(n_barcodes, 256, options_.threads, [&](std::size_t, std::size_t a, std::size_t b) {
            for (std::size_t i = a; i < b; ++i)
                count_barcode(header_, records.data() + starts_[i], records.data() + starts_[i + 1], options_, per_[i]);
        });
        for (std::size_t i = 0; i < n_barcodes; ++i) {
            const auto& p = per_[i];
            results_.reads += p.reads;
            results_.reads_bad_umi += p.bad_umi;
            results_.reads_multi_gene += p.multi_gene;
            results_.molecules_em += p.em;
            results_.umis_merged += p.merged;
            if (p.all.empty() && p.spliced.empty() && p.unspliced.empty() && p.ambiguous.empty()) continue;
            results_.barcodes.push_back(records[starts_[i]].barcode);
            results_.barcode_reads.push_back(p.counted_reads);
            const std::vector<Triplet>* layers[] = {&p.all, &p.spliced, &p.unspliced, &p.ambiguous};
            auto outs = matrices();
            for (std::size_t l = 0; l < 4; ++l) {
                for (const auto& t : *layers[l]) {
                    outs[l]->row_indices.push_back(t.row);
                    outs[l]->values.push_back(t.value);
                }
                outs[l]->col_offsets.push_back(outs[l]->row_indices.size());
                ++outs[l]->n_cols;
            }
        }
        per_.clear();
    }

    CountResults finish() { return std::move(results_); }

private:
    std::array<CountMatrix*, 4> matrices() { return {&results_.counts, &results_.spliced, &results_.unspliced, &results_.ambiguous}; }

    const align::RecordFile& header_;
    const CountOptions& options_;
    CountResults results_;
    std::vector<std::size_t> starts_;
    std::vector<BarcodeCounts> per_;
};

}  // namespace

CountResults count_molecules(const align::RecordFile& file, const CountOptions& options) {
    Counter counter(file, options);
    counter.add(file.records);
    return counter.finish();
}

CountResults count_molecules(align::RecordReader& reader, const CountOptions& options) {
    if (options.block_records == 0) throw OptionError("CountOptions::block_records must be positive");
    Counter counter(reader.header(), options);
    std::vector<Record> block;
    std::uint64_t records = 0;
    for (std::size_t n; (n = reader.read(block, options.block_records)) != 0;) {
        records += n;
        if (options.on_progress)
            options.on_progress(records, reader.size() ? static_cast<double>(records) / static_cast<double>(reader.size()) : 1.0);
        // Count every barcode that is complete: all but the block's last, which may go on.
        std::size_t cut = block.size();
        while (cut > 0 && block[cut - 1].barcode == block.back().barcode) --cut;
        if (cut == 0) continue;  // one barcode fills the block: read on
        counter.add({block.data(), cut});
        block.erase(block.begin(), block.begin() + static_cast<std::ptrdiff_t>(cut));
    }
    counter.add(block);
    return counter.finish();
}

}  // namespace kupffer::quant
