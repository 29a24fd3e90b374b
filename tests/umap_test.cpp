#include <gtest/gtest.h>

#include <random>

#include "kupffer/cluster/graph_cluster.hpp"
#include "kupffer/cluster/umap.hpp"
#include "kupffer/core/errors.hpp"
#include "kupffer/core/random.hpp"

using namespace kupffer;
using namespace kupffer::cluster;

TEST(Umap, CurveMatchesUmapLearn) {
    // umap-learn's find_ab_params(1.0, 0.1) = (1.5769434603, 0.8950608781).
    const auto [a, b] = umap_curve(0.1, 1.0);
    EXPECT_NEAR(a, 1.577, 0.01);
    EXPECT_NEAR(b, 0.895, 0.005);
}

TEST(Umap, KeepsGroupsApartAndIgnoresThreads) {
    // Four well-separated Gaussian blobs of 80 points in 10 dimensions.
    Rng rng(3);
    Eigen::MatrixXd x(320, 10);
    std::normal_distribution<double> z(0, 1);
    for (Eigen::Index i = 0; i < 320; ++i)
        for (Eigen::Index d = 0; d < 10; ++d) x(i, d) = z(rng) + (d == i / 80 ? 12.0 : 0.0);
    const auto nn = nearest_neighbors(x, {.k = 15});
    UmapOptions o;
    o.epochs = 200;
    o.threads = 1;
    const auto one = umap(x, nn, o);
    o.threads = 4;
    EXPECT_TRUE(umap(x, nn, o) == one);
    ASSERT_EQ(one.rows(), 320);
    ASSERT_EQ(one.cols(), 2);
    // In the embedding, a point's 10 nearest neighbours share its blob.
    const auto nn2 = nearest_neighbors(one, {.k = 11});
    double same = 0;
    for (std::size_t i = 0; i < 320; ++i)
        for (std::size_t k = 1; k < nn2[i].size(); ++k) same += nn2[i][k] / 80 == i / 80;
    EXPECT_GT(same / (320 * 10), 0.98);
    o.seed = 2;
    EXPECT_FALSE(umap(x, nn, o) == one);  // the seed matters
    EXPECT_THROW(umap(x, nn, {.components = 11}), OptionError);
}
