#include "model.hpp"

#include <algorithm>
#include <numeric>
#include <random>
#include <unordered_set>

#include "kupffer/align/chemistry.hpp"
#include "kupffer/core/dna.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/parallel.hpp"
#include "kupffer/core/random.hpp"

namespace kupffer::simulate::internal {

namespace {

constexpr double kLn2 = 0.6931471805599453;
// Relative library size of each cell type (hepatocytes are large, neutrophils RNA-poor).
constexpr std::array<double, kCellTypes> kLibraryFactor = {1.1, 1.0, 1.6, 1.6, 0.35, 0.7, 0.8,
                                                           0.8, 1.5, 1.1, 2.2, 1.0, 1.0};
// IL6 is made by monocytes as they mature into macrophages: a peak mid-way along the axis.
constexpr double kIl6PeakLog2 = 7.0;
constexpr double kIl6PeakAt = 0.45;
constexpr double kIl6PeakWidth = 0.25;

double beta_draw(Rng& rng, double a, double b) {
    std::gamma_distribution<double> ga(a, 1.0), gb(b, 1.0);
    const double x = ga(rng), y = gb(rng);
    return x / (x + y);
}

std::size_t pick(Rng& rng, const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double u = rng.uniform() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        if (u < weights[i]) return i;
        u -= weights[i];
    }
    return weights.size() - 1;
}

/// Reads are at most this long; intergenic DNA keeps this far from genes.
constexpr std::uint64_t kIntergenicMargin = 400;

bool overlaps_gene(const Reference& ref, std::uint32_t chrom, std::uint64_t a, std::uint64_t b) {
    for (const auto& g : ref.genes)
        if (g.chrom == chrom && g.start < b + kIntergenicMargin && g.end + kIntergenicMargin > a) return true;
    return false;
}

std::string random_sequence(Rng& rng, std::size_t n) {
    std::string s(n, 'A');
    for (auto& c : s) c = "ACGT"[rng.below(4)];
    return s;
}

}  // namespace

std::vector<SampleDesign> design_study(const SimulateOptions& options) {
    const auto& groups = default_groups();
    std::vector<SampleDesign> samples;
    Rng rng(options.seed, 0xD5);
    std::size_t animal = 0;
    std::uint32_t number = 0;
    std::vector<std::string> used_indices;
    for (const auto& group_name : options.groups) {
        std::size_t g = 0;
        while (g < groups.size() && groups[g].name != group_name) ++g;
        for (std::uint32_t a = 0; a < options.animals_per_group; ++a, ++animal) {
            char animal_name[16];
            std::snprintf(animal_name, sizeof animal_name, "RM%02zu", animal + 1);
            for (std::size_t t = 0; t < options.timepoints.size(); ++t) {
                SampleDesign s;
                s.group = g;
                s.timepoint = t;
                s.animal = animal;
                s.animal_name = animal_name;
                s.name = groups[g].code + "-" + animal_name + "-" + options.timepoints[t];
                s.number = ++number;
                do s.index_read = random_sequence(rng, 8);
                while (std::find(used_indices.begin(), used_indices.end(), s.index_read) != used_indices.end());
                used_indices.push_back(s.index_read);
                samples.push_back(std::move(s));
            }
        }
    }
    return samples;
}

ExpressionModel::ExpressionModel(const Reference& reference, std::uint64_t seed) : reference_(&reference) {
    const std::size_t n = reference.genes.size();
    Rng rng(seed, 0xE1);
    std::normal_distribution<double> z(0.0, 1.0);
    std::vector<double> base(n);
    unspliced_.assign(n, 0.0);
    const auto& named = named_genes();
    for (std::size_t g = 0; g < n; ++g) {
        const auto& gene = reference.genes[g];
        if (gene.category == GeneCategory::Mitochondrial) {
            mito_.push_back(static_cast<std::uint32_t>(g));
            base[g] = 0.0;
        } else if (gene.category == GeneCategory::Background) {
            base[g] = -1.0 + 1.6 * z(rng);
        } else {
            auto it = std::find_if(named.begin(), named.end(), [&](const NamedGene& ng) { return ng.name == gene.name; });
            base[g] = it->base_log_weight;
        }
        if (gene.transcripts[0].exons.size() > 1) unspliced_[g] = 0.05 + 0.3 * rng.uniform();
    }
    for (std::size_t t = 0; t < kCellTypes; ++t) {
        auto& lw = log_weight_[t];
        // Each type also differs from the others in a fifth of the background genes, as real types do
        // (too few, and small cells become indistinguishable from the ambient pool). Monocyte-derived
        // macrophages are classical monocytes that matured: they keep the monocytes' background and
        // differ in a twentieth of it, modestly, so that the maturation axis is carried mostly by
        // the panel genes and a few hundred others, not by half the transcriptome.
        const bool derived = static_cast<CellType>(t) == CellType::MoMacrophage;
        lw = derived ? log_weight_[static_cast<std::size_t>(CellType::ClassicalMonocyte)] : base;
        Rng type_rng(seed, 0xE2, t);
        for (std::size_t g = 0; g < n; ++g)
            if (reference.genes[g].category == GeneCategory::Background && type_rng.uniform() < (derived ? 0.15 : 0.2))
                lw[g] += (derived ? 1.0 : 1.5) * z(type_rng);
    }
    for (const auto& p : programs()) {
        const std::uint32_t g = gene_index(p.gene);
        log_weight_[static_cast<std::size_t>(p.type)][g] += p.log2_fold * kLn2;
    }
}

std::uint32_t ExpressionModel::gene_index(std::string_view name) const {
    const auto& genes = reference_->genes;
    for (std::size_t g = 0; g < genes.size(); ++g)
        if (genes[g].name == name) return static_cast<std::uint32_t>(g);
    throw Error("internal: gene " + std::string(name) + " missing from the simulated reference");
}

namespace {

/// Probabilities over genes for one cell, given its type mix and the sample's biology.
struct ProfileBuilder {
    const ExpressionModel& model;
    const GroupModel& group;
    std::vector<double> animal_effect;  ///< log effect per gene
    std::vector<std::uint32_t> cytokine_genes;
    std::uint32_t il6 = 0;

    /// Unnormalised nuclear weights for a type at maturation m (NaN: off the axis).
    void weights(CellType type, double m, std::vector<double>& out) const {
        const std::size_t n = model.genes();
        out.resize(n);
        const auto& a = model.log_weights(CellType::ClassicalMonocyte);
        const auto& b = model.log_weights(CellType::MoMacrophage);
        const auto& own = model.log_weights(type);
        const bool axis = !std::isnan(m);
        for (std::size_t g = 0; g < n; ++g) {
            const double lw = axis ? (1.0 - m) * a[g] + m * b[g] : own[g];
            out[g] = lw + animal_effect[g];
        }
        for (std::size_t c = 0; c < cytokine_genes.size(); ++c)
            out[cytokine_genes[c]] += std::log(group.cytokine_fold[c]);
        if (axis) {
            const double d = (m - kIl6PeakAt) / kIl6PeakWidth;
            out[il6] += kIl6PeakLog2 * kLn2 * std::exp(-d * d);
        }
        for (auto& w : out) w = std::exp(w);
        for (auto g : model.mito_genes()) out[g] = 0.0;
    }

    /// Normalised probabilities with the given mitochondrial fraction.
    void probabilities(std::vector<double>& w, double mito_fraction) const {
        double nuclear = 0;
        for (double v : w) nuclear += v;
        for (auto& v : w) v *= (1.0 - mito_fraction) / nuclear;
        const auto& mito = model.mito_genes();
        for (auto g : mito) w[g] = mito_fraction / static_cast<double>(mito.size());
    }
};

/// The group's biology scaled from control's by `scale` (0: control itself, a null study): shares
/// geometrically, maturation's Beta parameters and cytokine log folds linearly.
GroupModel scaled_group(const GroupModel& group, double scale, double cytokine_scale) {
    const GroupModel& control = default_groups().front();
    GroupModel g = group;
    for (std::size_t t = 0; t < kCellTypes; ++t)
        if (group.composition[t] > 0 && control.composition[t] > 0)
            g.composition[t] = control.composition[t] * std::pow(group.composition[t] / control.composition[t], scale);
    g.maturation_alpha = control.maturation_alpha + scale * (group.maturation_alpha - control.maturation_alpha);
    g.maturation_beta = control.maturation_beta + scale * (group.maturation_beta - control.maturation_beta);
    for (std::size_t c = 0; c < kCytokines.size(); ++c)
        g.cytokine_fold[c] = std::pow(group.cytokine_fold[c], scale * cytokine_scale);
    return g;
}

}  // namespace

namespace {

/// One sample's droplets and molecules, step by step. The random draws happen in a fixed order
/// (one normal_distribution `z_` shared by the serial steps, as it caches half of each pair), and
/// each barcode's molecules come from its own stream: same seed, same sample, whatever the threads.
class SampleSimulator {
public:
    SampleSimulator(const SimulateOptions& options, const Reference& reference, const ExpressionModel& model,
                    const SampleDesign& sample, const std::vector<std::uint32_t>& whitelist, std::size_t sample_index)
        : options_(options), reference_(reference), model_(model), sample_(sample), whitelist_(whitelist),
          sample_index_(sample_index),
          group_(scaled_group(default_groups()[sample.group], options.group_effect_scale, options.cytokine_effect_scale)),
          builder_{model, group_, std::vector<double>(model.genes()), {}, model.gene_index("IL6")},
          rng_(options.seed, 0x5A, sample_index) {}

    SampleMolecules run() {
        animal_biology();
        draw_barcodes();
        ambient_pool();
        double captured_total = 0;
        for (const auto& bt : out_.barcodes) captured_total += bt.captured;
        reads_per_molecule_ = static_cast<double>(n_cells_) * options_.reads_per_cell / captured_total;
        for (std::size_t c = 0; c + 1 < reference_.chrom_sequences.size(); ++c) nuclear_length_ += reference_.chrom_sequences[c].size();
        umi_length_ = align::chemistry_preset(options_.chemistry).umi.length;
        per_barcode_.resize(out_.barcodes.size());
        per_barcode_reads_.resize(out_.barcodes.size());
        parallel_for(out_.barcodes.size(), options_.threads, [&](std::size_t b) { molecules_of(b); });
        return gather();
    }

private:
    /// Animal-level biology, fixed across timepoints: every gene's level shifts (log-normal,
    /// animal_sd; cytokines at least 0.3), the animal's monocytes mature a little faster or
    /// slower, and its composition is a Dirichlet draw around the group's.
    void animal_biology() {
        Rng animal_rng(options_.seed, 0xA1, sample_.animal);
        for (auto& e : builder_.animal_effect) e = options_.animal_sd * z_(animal_rng);
        for (auto name : kCytokines) {
            const auto g = model_.gene_index(name);
            builder_.cytokine_genes.push_back(g);
            builder_.animal_effect[g] = std::max(0.3, options_.animal_sd) * z_(animal_rng);
        }
        animal_maturation_ = std::exp(options_.animal_sd * z_(animal_rng));
        Rng composition_rng(options_.seed, 0xA2, sample_.animal);
        composition_.assign(kCellTypes, 0.0);
        for (std::size_t t = 0; t < kCellTypes; ++t) {
            if (group_.composition[t] <= 0) continue;
            std::gamma_distribution<double> gamma(150.0 * group_.composition[t], 1.0);
            composition_[t] = gamma(composition_rng);
        }
    }

    /// Distinct barcodes from the whitelist (Floyd's sampling), in random order.
    std::vector<std::uint32_t> choose_barcodes(std::uint32_t n) {
        std::vector<std::uint32_t> chosen;
        std::unordered_set<std::uint64_t> seen;
        const std::uint64_t w = whitelist_.size();
        for (std::uint64_t j = w - n; j < w; ++j) {
            const std::uint64_t t = rng_.below(j + 1);
            const std::uint64_t pick_index = seen.insert(t).second ? t : (seen.insert(j), j);
            chosen.push_back(static_cast<std::uint32_t>(pick_index));
        }
        std::shuffle(chosen.begin(), chosen.end(), rng_);
        return chosen;
    }

    CellType draw_type(double& maturation) {
        const auto t = static_cast<CellType>(pick(rng_, composition_));
        maturation = std::numeric_limits<double>::quiet_NaN();
        if (t != CellType::ClassicalMonocyte) return t;
        maturation = beta_draw(rng_, animal_maturation_ * (group_.maturation_alpha + 0.6 * static_cast<double>(sample_.timepoint)),
                               group_.maturation_beta);
        return maturation < 0.5 ? CellType::ClassicalMonocyte : CellType::MoMacrophage;
    }

    /// Cells (type, maturation, doublet, damage, size, ambient share) and empty droplets.
    void draw_barcodes() {
        n_cells_ = static_cast<std::uint32_t>(std::lround(options_.cells * (0.85 + 0.3 * rng_.uniform())));
        const auto n_empty = static_cast<std::uint32_t>(std::lround(n_cells_ * options_.empty_droplets_per_cell));
        if (n_cells_ + n_empty > whitelist_.size())
            throw OptionError("the whitelist holds " + std::to_string(whitelist_.size()) + " barcodes, fewer than the " +
                              std::to_string(n_cells_ + n_empty) + " barcodes of sample " + sample_.name);
        const auto chosen = choose_barcodes(n_cells_ + n_empty);
        out_.barcodes.resize(n_cells_ + n_empty);
        for (std::uint32_t b = 0; b < n_cells_ + n_empty; ++b) {
            auto& bt = out_.barcodes[b];
            bt.sequence = whitelist_[chosen[b]];
            if (b >= n_cells_) {  // empty droplet: ambient RNA only
                bt.captured = std::max(1.0, 12.0 * std::exp(0.8 * z_(rng_)));
                continue;
            }
            bt.is_cell = true;
            bt.type = draw_type(bt.maturation);
            double factor = kLibraryFactor[static_cast<std::size_t>(bt.type)];
            if (rng_.uniform() < options_.doublet_rate) {
                double m2;
                bt.doublet = true;
                bt.second_type = draw_type(m2);
                factor += kLibraryFactor[static_cast<std::size_t>(bt.second_type)];
            }
            bt.mito_fraction = (bt.type == CellType::Hepatocyte ? 0.08 : 0.04) * std::exp(0.3 * z_(rng_));
            if (rng_.uniform() < options_.damaged_rate) {
                bt.damaged = true;
                factor *= 0.35;
                bt.mito_fraction = 0.3 + 0.2 * rng_.uniform();
            }
            bt.captured = options_.umis_per_cell * factor * std::exp(0.45 * z_(rng_));
            bt.ambient_fraction = options_.ambient_fraction * std::exp(0.3 * z_(rng_));
        }
    }

    /// The ambient pool: what lysed cells leave in the suspension, dominated by hepatocytes.
    void ambient_pool() {
        const std::size_t n_genes = model_.genes();
        ambient_.assign(n_genes, 0.0);
        std::vector<double> w;
        for (std::size_t t = 0; t < kCellTypes; ++t) {
            if (composition_[t] <= 0) continue;
            const auto type = static_cast<CellType>(t);
            builder_.weights(type, type == CellType::ClassicalMonocyte ? 0.5 : std::numeric_limits<double>::quiet_NaN(), w);
            builder_.probabilities(w, 0.06);
            const double share = composition_[t] * kLibraryFactor[t] * (type == CellType::Hepatocyte ? 4.0 : 1.0);
            for (std::size_t g = 0; g < n_genes; ++g) ambient_[g] += share * w[g];
        }
        const double total = std::accumulate(ambient_.begin(), ambient_.end(), 0.0);
        for (auto& a : ambient_) a /= total;
    }

    /// A barcode's gene probabilities: its type(s) at its maturation, mitochondrial share and
    /// ambient RNA; an empty droplet holds the ambient pool alone.
    std::vector<double> profile(const BarcodeTruth& bt, Rng& brng) const {
        if (!bt.is_cell) return ambient_;
        const std::size_t n_genes = model_.genes();
        std::vector<double> p(n_genes), w2;
        builder_.weights(bt.type, bt.maturation, p);
        if (bt.doublet) {
            double m2 = bt.second_type == CellType::ClassicalMonocyte || bt.second_type == CellType::MoMacrophage
                            ? brng.uniform()
                            : std::numeric_limits<double>::quiet_NaN();
            builder_.weights(bt.second_type, m2, w2);
            double s1 = std::accumulate(p.begin(), p.end(), 0.0), s2 = std::accumulate(w2.begin(), w2.end(), 0.0);
            for (std::size_t g = 0; g < n_genes; ++g) p[g] = p[g] / s1 + w2[g] / s2;
        }
        builder_.probabilities(p, std::min(0.6, bt.mito_fraction));
        for (std::size_t g = 0; g < n_genes; ++g) p[g] = (1.0 - bt.ambient_fraction) * p[g] + bt.ambient_fraction * ambient_[g];
        return p;
    }

    /// A molecule of gene g: unspliced (internal priming somewhere in an intron of the canonical
    /// isoform) with the gene's unspliced fraction, else one of its isoforms by weight.
    Molecule gene_molecule(std::uint32_t g, Rng& brng) const {
        const auto& gene = reference_.genes[g];
        Molecule m;
        m.gene = g;
        if (brng.uniform() < model_.unspliced_fraction(g)) {
            m.kind = MoleculeKind::Unspliced;
            const auto& exons = gene.transcripts[0].exons;
            std::uint64_t intronic = 0;
            for (std::size_t e = 0; e + 1 < exons.size(); ++e) intronic += exons[e + 1].start - exons[e].end;
            std::uint64_t r = brng.below(intronic);
            std::uint32_t genomic = 0;
            for (std::size_t e = 0; e + 1 < exons.size(); ++e) {
                const std::uint32_t len = exons[e + 1].start - exons[e].end;
                if (r < len) {
                    genomic = exons[e].end + static_cast<std::uint32_t>(r);
                    break;
                }
                r -= len;
            }
            m.anchor = gene.strand == '+' ? genomic - gene.start : gene.end - 1 - genomic;
        } else {
            std::vector<double> tw;
            for (const auto& tx : gene.transcripts) tw.push_back(tx.weight);
            m.transcript = static_cast<std::uint16_t>(gene.transcripts.size() == 1 ? 0 : pick(brng, tw));
        }
        return m;
    }

    /// Genomic DNA from between genes (a draw inside a gene is redrawn).
    Molecule intergenic_molecule(Rng& brng) const {
        Molecule m;
        m.kind = MoleculeKind::Intergenic;
        m.gene = kNoGene;
        std::uint64_t pos = 0;
        std::uint32_t c = 0;
        for (int attempt = 0; attempt < 100; ++attempt) {
            pos = brng.below(nuclear_length_);
            c = 0;
            while (pos >= reference_.chrom_sequences[c].size()) pos -= reference_.chrom_sequences[c++].size();
            if (!overlaps_gene(reference_, c, pos, pos + kIntergenicMargin)) break;
        }
        m.chrom = c;
        m.anchor = static_cast<std::uint32_t>(pos);
        m.strand = brng.uniform() < 0.5 ? '+' : '-';
        return m;
    }

    /// Barcode b's captured molecules (Poisson around a gamma-distributed, bursty mean per gene
    /// in cells; a well-mixed multinomial in empty droplets) with distinct UMIs, and the reads
    /// each gets; molecules never sequenced are not kept (not observable).
    void molecules_of(std::size_t b) {
        const auto& bt = out_.barcodes[b];
        Rng brng(options_.seed, 0xB0 + sample_index_, b);
        const auto p = profile(bt, brng);
        std::gamma_distribution<double> burst(4.0, 0.25);
        std::gamma_distribution<double> amplification(3.0, 1.0 / 3.0);
        std::unordered_set<std::uint32_t> umis;
        auto& mols = per_barcode_[b];
        auto& reads = per_barcode_reads_[b];
        auto add = [&](Molecule m) {
            std::uint32_t umi;
            do umi = static_cast<std::uint32_t>(brng.below(1ULL << (2 * umi_length_)));
            while (!umis.insert(umi).second);
            m.umi = umi;
            m.barcode = static_cast<std::uint32_t>(b);
            std::poisson_distribution<std::uint32_t> k(reads_per_molecule_ * amplification(brng));
            const std::uint32_t n_reads = k(brng);
            if (n_reads == 0) return;
            mols.push_back(m);
            reads.push_back(n_reads);
        };
        for (std::uint32_t g = 0; g < model_.genes(); ++g) {
            const double mean = bt.captured * p[g];
            if (mean < 1e-7) continue;
            std::poisson_distribution<std::uint32_t> count(bt.is_cell ? mean * burst(brng) : mean);
            for (std::uint32_t i = count(brng); i > 0; --i) add(gene_molecule(g, brng));
        }
        std::poisson_distribution<std::uint32_t> n_intergenic(bt.captured * options_.intergenic_fraction);
        for (std::uint32_t i = n_intergenic(brng); i > 0; --i) add(intergenic_molecule(brng));
    }

    SampleMolecules gather() {
        std::size_t total = 0;
        for (const auto& v : per_barcode_) total += v.size();
        out_.molecules.reserve(total);
        out_.reads.reserve(total);
        for (std::size_t b = 0; b < per_barcode_.size(); ++b) {
            out_.barcodes[b].molecules = per_barcode_[b].size();
            for (auto r : per_barcode_reads_[b]) out_.barcodes[b].reads += r;
            out_.molecules.insert(out_.molecules.end(), per_barcode_[b].begin(), per_barcode_[b].end());
            out_.reads.insert(out_.reads.end(), per_barcode_reads_[b].begin(), per_barcode_reads_[b].end());
            std::vector<Molecule>().swap(per_barcode_[b]);
        }
        return std::move(out_);
    }

    const SimulateOptions& options_;
    const Reference& reference_;
    const ExpressionModel& model_;
    const SampleDesign& sample_;
    const std::vector<std::uint32_t>& whitelist_;
    const std::size_t sample_index_;
    const GroupModel group_;
    ProfileBuilder builder_;
    Rng rng_;
    std::normal_distribution<double> z_{0.0, 1.0};
    double animal_maturation_ = 1.0;
    std::vector<double> composition_, ambient_;
    std::uint32_t n_cells_ = 0;
    double reads_per_molecule_ = 0;
    std::uint64_t nuclear_length_ = 0;
    std::uint32_t umi_length_ = 12;
    SampleMolecules out_;
    std::vector<std::vector<Molecule>> per_barcode_;
    std::vector<std::vector<std::uint32_t>> per_barcode_reads_;
};

}  // namespace

SampleMolecules simulate_molecules(const SimulateOptions& options, const Reference& reference,
                                   const ExpressionModel& model, const SampleDesign& sample,
                                   const std::vector<std::uint32_t>& whitelist, std::size_t sample_index) {
    return SampleSimulator(options, reference, model, sample, whitelist, sample_index).run();
}

}  // namespace kupffer::simulate::internal
