#pragma once
// Diffusion pseudotime (Haghverdi et al. 2016, as scanpy.tl.dpt computes it): a Gaussian kernel on
// each cell's k nearest neighbours (per-cell bandwidth from its neighbour distances), density
// normalised, whose Markov matrix's leading eigenvectors (diffusion components) give the
// diffusion distance from a root cell summed over all path lengths. Used for the
// monocyte -> macrophage maturation axis, rooted at the most monocyte-like cells.
#include <cstdint>
#include <vector>

#include <Eigen/Dense>

namespace kupffer::cluster {

struct PseudotimeOptions {
    std::uint32_t k = 15;           ///< neighbours per cell, itself included (scanpy's n_neighbors)
    std::uint32_t components = 10;  ///< diffusion components, the trivial first included (scanpy's n_dcs)
    double root_fraction = 0.05;    ///< the root is the cell nearest the centre of this top fraction by root score
    int threads = 0;                ///< never changes the result
};

struct PseudotimeResults {
    std::vector<double> pseudotime;       ///< per cell in [0, 1]; NaN outside the root's connected component
    Eigen::MatrixXd diffusion_components; ///< cells x components (right eigenvectors of the Markov matrix)
    std::vector<double> eigenvalues;
    std::uint32_t root = 0;
};

/// `points` cells x dims (e.g. PCs of the myeloid cells); `root_score` per cell, higher = closer to
/// the start of the trajectory (e.g. classical-monocyte minus macrophage module score).
PseudotimeResults diffusion_pseudotime(const Eigen::MatrixXd& points, const std::vector<double>& root_score,
                                       const PseudotimeOptions& options = {});

/// Spearman rank correlation (average ranks for ties); pairs with a NaN are skipped.
double spearman(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace kupffer::cluster
