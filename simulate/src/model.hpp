#pragma once
// Internal: the study's expression model and the molecules of one sample.
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "kupffer/simulate/catalogue.hpp"
#include "kupffer/simulate/reference.hpp"
#include "kupffer/simulate/simulate.hpp"

namespace kupffer::simulate::internal {

struct SampleDesign {
    std::string name;
    std::size_t group = 0;  ///< index into default_groups()
    std::size_t timepoint = 0;
    std::size_t animal = 0;  ///< global animal index
    std::string animal_name;
    std::uint32_t number = 0;  ///< bcl2fastq's S number
    std::string index_read;    ///< 8-base sample index (I1)
};

std::vector<SampleDesign> design_study(const SimulateOptions& options);

/// Per-gene expression weights per cell type, shared by all samples.
class ExpressionModel {
public:
    ExpressionModel(const Reference& reference, std::uint64_t seed);
    std::size_t genes() const noexcept { return log_weight_[0].size(); }
    const std::vector<double>& log_weights(CellType type) const { return log_weight_[static_cast<std::size_t>(type)]; }
    const std::vector<std::uint32_t>& mito_genes() const noexcept { return mito_; }
    std::uint32_t gene_index(std::string_view name) const;
    /// Fraction of a gene's molecules that are unspliced pre-mRNA.
    double unspliced_fraction(std::uint32_t gene) const { return unspliced_[gene]; }

private:
    std::array<std::vector<double>, kCellTypes> log_weight_;
    std::vector<std::uint32_t> mito_;
    std::vector<double> unspliced_;
    const Reference* reference_;
};

enum class MoleculeKind : std::uint8_t { Spliced, Unspliced, Intergenic };

struct Molecule {
    std::uint32_t barcode = 0;  ///< index into the sample's barcode list
    std::uint32_t gene = 0;     ///< gene index, or kNoGene for intergenic
    std::uint32_t umi = 0;      ///< packed 2-bit
    std::uint32_t anchor = 0;   ///< unspliced: priming site in locus coordinates; intergenic: genomic position
    std::uint32_t chrom = 0;    ///< intergenic only
    std::uint16_t transcript = 0;
    MoleculeKind kind = MoleculeKind::Spliced;
    char strand = '+';  ///< intergenic only
};
inline constexpr std::uint32_t kNoGene = std::numeric_limits<std::uint32_t>::max();

struct BarcodeTruth {
    std::uint32_t sequence = 0;  ///< packed 16-mer
    bool is_cell = false;
    CellType type = CellType::TCell;
    bool doublet = false;
    CellType second_type = CellType::TCell;
    bool damaged = false;
    double maturation = std::numeric_limits<double>::quiet_NaN();
    double captured = 0;  ///< expected captured molecules
    double mito_fraction = 0;
    double ambient_fraction = 0;
    std::uint64_t molecules = 0;  ///< observed (>= 1 read)
    std::uint64_t reads = 0;
};

struct SampleMolecules {
    std::vector<BarcodeTruth> barcodes;
    std::vector<Molecule> molecules;          ///< grouped by barcode
    std::vector<std::uint32_t> reads;         ///< read pairs per molecule (>= 1)
};

/// Plans barcodes (cells, empties) and draws every observed molecule of one sample.
SampleMolecules simulate_molecules(const SimulateOptions& options, const Reference& reference,
                                   const ExpressionModel& model, const SampleDesign& sample,
                                   const std::vector<std::uint32_t>& whitelist, std::size_t sample_index);

}  // namespace kupffer::simulate::internal
