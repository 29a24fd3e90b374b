#include "kupffer/simulate/catalogue.hpp"

namespace kupffer::simulate {

std::string_view cell_type_name(CellType type) {
    static constexpr std::array<std::string_view, kCellTypes> names = {
        "classical_monocyte", "nonclassical_monocyte", "mo_macrophage", "kupffer_cell", "neutrophil",
        "t_cell",             "nk_cell",               "b_cell",        "plasma_cell",  "dendritic_cell",
        "hepatocyte",         "endothelial_cell",      "stellate_cell"};
    return names[static_cast<std::size_t>(type)];
}

std::string_view gene_category_name(GeneCategory category) {
    switch (category) {
        case GeneCategory::Marker: return "marker";
        case GeneCategory::Cytokine: return "cytokine";
        case GeneCategory::Housekeeping: return "housekeeping";
        case GeneCategory::Mitochondrial: return "mitochondrial";
        case GeneCategory::Background: return "background";
    }
    return "background";
}

const std::vector<NamedGene>& named_genes() {
    using C = GeneCategory;
    static const std::vector<NamedGene> genes = [] {
        std::vector<NamedGene> g;
        for (auto name : {"ACTB", "TMSB4X", "B2M", "MALAT1", "FTL", "EEF1A1"}) g.push_back({name, C::Housekeeping, 5.0});
        for (auto name : {"GAPDH", "FTH1", "RPL13", "RPS27", "RPLP1", "TPT1", "HLA-B", "CD74"})
            g.push_back({name, C::Housekeeping, 4.0});
        for (auto name : {// monocytes
                          "CD14", "LYZ", "S100A8", "S100A9", "VCAN", "FCN1", "CCR2", "SELL", "FCGR3A", "CX3CR1",
                          "MS4A7", "LST1", "CDKN1C",
                          // macrophages / Kupffer cells
                          "CD68", "CD163", "MARCO", "VSIG4", "C1QA", "C1QB", "C1QC", "TIMD4", "MRC1", "APOE",
                          "CSF1R", "CD5L", "MAFB", "FCGR1A", "SPP1", "VCAM1", "HMOX1",
                          // shared myeloid / immune
                          "PTPRC", "HLA-DRA", "TYROBP", "FCER1G", "AIF1",
                          // neutrophils
                          "CSF3R", "FCGR3B", "CXCR2", "MMP9", "LCN2",
                          // T and NK
                          "CD3D", "CD3E", "CD2", "IL7R", "CD8A", "TRAC", "NKG7", "GNLY", "KLRD1", "KLRF1", "PRF1",
                          "GZMB", "CCL5",
                          // B and plasma
                          "MS4A1", "CD79A", "CD79B", "CD19", "BANK1", "JCHAIN", "MZB1", "IGHG1", "SDC1", "XBP1",
                          // dendritic cells
                          "FCER1A", "CD1C", "CLEC10A", "CLEC9A", "HLA-DQA1",
                          // hepatocytes
                          "ALB", "APOA1", "APOC3", "TTR", "SERPINA1", "HP", "FGB", "TF", "CYP3A4", "APOA2",
                          // endothelial (LSEC)
                          "STAB2", "CLEC4G", "PECAM1", "VWF", "KDR", "FCGR2B",
                          // stellate
                          "DCN", "COL1A1", "COL3A1", "LUM", "RBP1", "RGS5", "ACTA2", "PDGFRB",
                          // erythroid ambient (a near-identical paralog pair)
                          "HBA1", "HBA2"})
            g.push_back({name, C::Marker, -3.0});
        for (auto name : kCytokines) g.push_back({name, C::Cytokine, -6.0});
        return g;
    }();
    return genes;
}

const std::vector<MitoGene>& mito_genes() {
    static const std::vector<MitoGene> genes = {
        {"MT-ND1", 956, '+'},  {"MT-ND2", 1042, '+'}, {"MT-CO1", 1542, '+'}, {"MT-CO2", 684, '+'},
        {"MT-ATP8", 207, '+'}, {"MT-ATP6", 681, '+'}, {"MT-CO3", 784, '+'},  {"MT-ND3", 346, '+'},
        {"MT-ND4L", 297, '+'}, {"MT-ND4", 1378, '+'}, {"MT-ND5", 1812, '+'}, {"MT-ND6", 525, '-'},
        {"MT-CYB", 1141, '+'},
    };
    return genes;
}

const std::vector<Program>& programs() {
    using T = CellType;
    static const std::vector<Program> p = {
        // Classical monocytes: the start of the maturation axis.
        {T::ClassicalMonocyte, "CD14", 7}, {T::ClassicalMonocyte, "LYZ", 8}, {T::ClassicalMonocyte, "S100A8", 8},
        {T::ClassicalMonocyte, "S100A9", 8}, {T::ClassicalMonocyte, "VCAN", 6}, {T::ClassicalMonocyte, "FCN1", 6.5},
        {T::ClassicalMonocyte, "CCR2", 5}, {T::ClassicalMonocyte, "SELL", 5}, {T::ClassicalMonocyte, "PTPRC", 6},
        {T::ClassicalMonocyte, "HLA-DRA", 6}, {T::ClassicalMonocyte, "TYROBP", 6}, {T::ClassicalMonocyte, "FCER1G", 6},
        {T::ClassicalMonocyte, "AIF1", 6}, {T::ClassicalMonocyte, "CSF1R", 3}, {T::ClassicalMonocyte, "CD68", 3},
        // Non-classical monocytes.
        {T::NonClassicalMonocyte, "FCGR3A", 7}, {T::NonClassicalMonocyte, "CX3CR1", 6},
        {T::NonClassicalMonocyte, "MS4A7", 6.5}, {T::NonClassicalMonocyte, "LST1", 6.5},
        {T::NonClassicalMonocyte, "CDKN1C", 6}, {T::NonClassicalMonocyte, "LYZ", 6},
        {T::NonClassicalMonocyte, "PTPRC", 6}, {T::NonClassicalMonocyte, "HLA-DRA", 6},
        {T::NonClassicalMonocyte, "TYROBP", 6}, {T::NonClassicalMonocyte, "FCER1G", 6},
        {T::NonClassicalMonocyte, "AIF1", 6}, {T::NonClassicalMonocyte, "CD14", 2.5},
        {T::NonClassicalMonocyte, "CSF1R", 4},
        // Monocyte-derived macrophages: the end of the axis.
        {T::MoMacrophage, "CD68", 7}, {T::MoMacrophage, "CD163", 6}, {T::MoMacrophage, "MRC1", 6},
        {T::MoMacrophage, "APOE", 7}, {T::MoMacrophage, "C1QA", 7}, {T::MoMacrophage, "C1QB", 7},
        {T::MoMacrophage, "C1QC", 6.5}, {T::MoMacrophage, "CSF1R", 6}, {T::MoMacrophage, "MAFB", 5},
        {T::MoMacrophage, "FCGR1A", 5}, {T::MoMacrophage, "SPP1", 6}, {T::MoMacrophage, "PTPRC", 5},
        {T::MoMacrophage, "HLA-DRA", 7}, {T::MoMacrophage, "TYROBP", 6}, {T::MoMacrophage, "FCER1G", 6},
        {T::MoMacrophage, "AIF1", 5}, {T::MoMacrophage, "CD14", 3}, {T::MoMacrophage, "LYZ", 4},
        // Kupffer cells: resident, not on the monocyte axis.
        {T::Kupffer, "CD68", 7}, {T::Kupffer, "CD163", 7}, {T::Kupffer, "MARCO", 7}, {T::Kupffer, "VSIG4", 7},
        {T::Kupffer, "TIMD4", 6}, {T::Kupffer, "CD5L", 7}, {T::Kupffer, "C1QA", 7}, {T::Kupffer, "C1QB", 7},
        {T::Kupffer, "C1QC", 7}, {T::Kupffer, "CSF1R", 5}, {T::Kupffer, "VCAM1", 5}, {T::Kupffer, "HMOX1", 6},
        {T::Kupffer, "APOE", 5}, {T::Kupffer, "HLA-DRA", 6}, {T::Kupffer, "PTPRC", 4}, {T::Kupffer, "TYROBP", 5},
        {T::Kupffer, "FCER1G", 5},
        // Neutrophils.
        {T::Neutrophil, "S100A8", 9}, {T::Neutrophil, "S100A9", 9}, {T::Neutrophil, "CSF3R", 6.5},
        {T::Neutrophil, "FCGR3B", 7}, {T::Neutrophil, "CXCR2", 6}, {T::Neutrophil, "MMP9", 5},
        {T::Neutrophil, "LCN2", 5}, {T::Neutrophil, "PTPRC", 5}, {T::Neutrophil, "SELL", 5},
        {T::Neutrophil, "FCER1G", 5}, {T::Neutrophil, "CXCL8", 4},
        // T cells.
        {T::TCell, "CD3D", 7}, {T::TCell, "CD3E", 7}, {T::TCell, "CD2", 6}, {T::TCell, "IL7R", 6},
        {T::TCell, "CD8A", 5}, {T::TCell, "TRAC", 6.5}, {T::TCell, "CCL5", 5}, {T::TCell, "PTPRC", 6.5},
        // NK cells.
        {T::NKCell, "NKG7", 8}, {T::NKCell, "GNLY", 8}, {T::NKCell, "KLRD1", 6.5}, {T::NKCell, "KLRF1", 6},
        {T::NKCell, "PRF1", 6}, {T::NKCell, "GZMB", 6.5}, {T::NKCell, "CCL5", 6.5}, {T::NKCell, "PTPRC", 6.5},
        {T::NKCell, "TYROBP", 6}, {T::NKCell, "FCER1G", 5}, {T::NKCell, "CD2", 4},
        // B cells.
        {T::BCell, "MS4A1", 7}, {T::BCell, "CD79A", 7.5}, {T::BCell, "CD79B", 7}, {T::BCell, "CD19", 5.5},
        {T::BCell, "BANK1", 5.5}, {T::BCell, "HLA-DRA", 7}, {T::BCell, "HLA-DQA1", 5}, {T::BCell, "PTPRC", 6.5},
        // Plasma cells.
        {T::PlasmaCell, "JCHAIN", 9}, {T::PlasmaCell, "MZB1", 7.5}, {T::PlasmaCell, "IGHG1", 10},
        {T::PlasmaCell, "SDC1", 5}, {T::PlasmaCell, "XBP1", 6}, {T::PlasmaCell, "CD79A", 5},
        {T::PlasmaCell, "PTPRC", 3},
        // Dendritic cells.
        {T::DendriticCell, "FCER1A", 7}, {T::DendriticCell, "CD1C", 6.5}, {T::DendriticCell, "CLEC10A", 6.5},
        {T::DendriticCell, "CLEC9A", 5}, {T::DendriticCell, "HLA-DQA1", 7}, {T::DendriticCell, "HLA-DRA", 8},
        {T::DendriticCell, "PTPRC", 5}, {T::DendriticCell, "AIF1", 5},
        // Hepatocytes.
        {T::Hepatocyte, "ALB", 11}, {T::Hepatocyte, "APOA1", 10}, {T::Hepatocyte, "APOC3", 9.5},
        {T::Hepatocyte, "TTR", 9}, {T::Hepatocyte, "SERPINA1", 9.5}, {T::Hepatocyte, "HP", 9},
        {T::Hepatocyte, "FGB", 8.5}, {T::Hepatocyte, "TF", 8}, {T::Hepatocyte, "CYP3A4", 7},
        {T::Hepatocyte, "APOA2", 9}, {T::Hepatocyte, "APOE", 6},
        // Liver sinusoidal endothelial cells.
        {T::Endothelial, "STAB2", 7}, {T::Endothelial, "CLEC4G", 7}, {T::Endothelial, "PECAM1", 6.5},
        {T::Endothelial, "VWF", 6}, {T::Endothelial, "KDR", 6}, {T::Endothelial, "FCGR2B", 6},
        // Hepatic stellate cells.
        {T::Stellate, "DCN", 8}, {T::Stellate, "COL1A1", 7}, {T::Stellate, "COL3A1", 8}, {T::Stellate, "LUM", 6.5},
        {T::Stellate, "RBP1", 6}, {T::Stellate, "RGS5", 6}, {T::Stellate, "ACTA2", 5.5}, {T::Stellate, "PDGFRB", 5.5},
        // Cytokines at baseline (control group); group effects multiply these.
        {T::ClassicalMonocyte, "IL1B", 8}, {T::ClassicalMonocyte, "TNF", 6}, {T::ClassicalMonocyte, "CXCL8", 7},
        {T::ClassicalMonocyte, "CCL2", 6}, {T::MoMacrophage, "IL1B", 7}, {T::MoMacrophage, "CCL2", 7},
        {T::MoMacrophage, "TNF", 5}, {T::Kupffer, "IL1B", 5}, {T::Kupffer, "TNF", 4}, {T::Kupffer, "IL6", 3},
        {T::TCell, "TNF", 4}, {T::NKCell, "TNF", 4}, {T::Hepatocyte, "CCL2", 4},
        // Ambient erythroid RNA sticks mostly to hepatocyte-rich suspensions.
        {T::Hepatocyte, "HBA1", 4}, {T::Hepatocyte, "HBA2", 4},
    };
    return p;
}

const std::vector<GroupModel>& default_groups() {
    // Composition order follows CellType; the ClassicalMonocyte entry is the whole monocyte ->
    // macrophage axis and MoMacrophage's entry is unused (0).
    //                         cMono  ncMono MoMac Kupffer Neut  T     NK    B     Plasma DC    Hep   Endo  Stell
    static const std::vector<GroupModel> groups = {
        {"control", "CTRL", {0.07, 0.03, 0.0, 0.20, 0.04, 0.22, 0.14, 0.07, 0.02, 0.02, 0.09, 0.07, 0.03}, 2.0, 4.0,
         {1.0, 1.0, 1.0, 1.0, 1.0}},
        {"ALF", "ALF", {0.30, 0.04, 0.0, 0.08, 0.11, 0.14, 0.09, 0.05, 0.02, 0.02, 0.06, 0.06, 0.03}, 3.5, 2.0,
         {8.0, 3.0, 2.5, 2.0, 3.0}},
        {"ALF+hUC-MSC", "MSC", {0.12, 0.04, 0.0, 0.14, 0.07, 0.19, 0.12, 0.06, 0.02, 0.02, 0.08, 0.07, 0.03}, 1.6, 4.5,
         {1.5, 1.5, 1.3, 1.4, 1.5}},
    };
    return groups;
}

}  // namespace kupffer::simulate
