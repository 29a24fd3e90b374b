#pragma once
// What the simulated liver holds, as data: cell types, the named genes (hepatic immune markers,
// cytokines, housekeeping, mitochondrial) and which genes each type expresses.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kupffer::simulate {

enum class CellType : std::uint8_t {
    ClassicalMonocyte,
    NonClassicalMonocyte,
    MoMacrophage,  ///< monocyte-derived macrophage
    Kupffer,       ///< resident Kupffer-like macrophage
    Neutrophil,
    TCell,
    NKCell,
    BCell,
    PlasmaCell,
    DendriticCell,
    Hepatocyte,
    Endothelial,
    Stellate,
};
inline constexpr std::size_t kCellTypes = 13;

/// Stable snake_case label used in truth files (e.g. "classical_monocyte").
std::string_view cell_type_name(CellType type);

/// Gene categories written to truth/genes.tsv.
enum class GeneCategory : std::uint8_t { Marker, Cytokine, Housekeeping, Mitochondrial, Background };
std::string_view gene_category_name(GeneCategory category);

struct NamedGene {
    std::string_view name;
    GeneCategory category;
    double base_log_weight;  ///< natural-log expression weight in cells not boosted by a program
};

/// Every named nuclear gene of the simulated genome (mitochondrial genes are separate).
const std::vector<NamedGene>& named_genes();

/// The 13 mitochondrial protein-coding genes, in chrM order, with their strand.
struct MitoGene {
    std::string_view name;
    std::uint32_t length;
    char strand;
};
const std::vector<MitoGene>& mito_genes();

/// A type-specific boost of one gene: log2 fold over its base weight.
struct Program {
    CellType type;
    std::string_view gene;
    double log2_fold;
};
const std::vector<Program>& programs();

/// Cytokines whose expression depends on treatment group; IL6 first.
inline constexpr std::array<std::string_view, 5> kCytokines = {"IL6", "IL1B", "TNF", "CXCL8", "CCL2"};

/// A treatment group's biology.
struct GroupModel {
    std::string name;  ///< as in the samplesheet, e.g. "ALF+hUC-MSC"
    std::string code;  ///< short, used in sample names, e.g. "MSC"
    /// Relative abundance of each cell type; the two monocyte-axis types (classical monocyte,
    /// monocyte-derived macrophage) share the entry of ClassicalMonocyte and are split by maturation.
    std::array<double, kCellTypes> composition;
    double maturation_alpha;  ///< Beta(alpha, beta) of maturation along the monocyte->macrophage axis
    double maturation_beta;
    std::array<double, kCytokines.size()> cytokine_fold;  ///< fold over control, per kCytokines
};

/// The three groups of the study: control, ALF, ALF+hUC-MSC.
const std::vector<GroupModel>& default_groups();

}  // namespace kupffer::simulate
