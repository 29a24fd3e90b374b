#include "kupffer/core/sparse_matrix.hpp"

#include <gtest/gtest.h>

#include "kupffer/core/errors.hpp"

using namespace kupffer;

TEST(SparseMatrix, BuildsCscFromUnorderedTripletsSummingDuplicates) {
    const auto m = count_matrix_from_triplets(3, 2, {{2, 1, 5}, {0, 0, 1}, {2, 1, 2}, {1, 0, 0}, {1, 1, 4}});
    EXPECT_EQ(m.n_rows, 3U);
    EXPECT_EQ(m.n_cols, 2U);
    EXPECT_EQ(m.nnz(), 3U);  // the explicit zero is dropped
    EXPECT_EQ(m.col_offsets, (std::vector<std::uint64_t>{0, 1, 3}));
    EXPECT_EQ(m.row_indices, (std::vector<std::uint32_t>{0, 1, 2}));
    EXPECT_EQ(m.values, (std::vector<std::uint32_t>{1, 4, 7}));
    EXPECT_EQ(m.column_sums(), (std::vector<double>{1, 11}));
    EXPECT_EQ(m.row_sums(), (std::vector<double>{1, 4, 7}));
}

TEST(SparseMatrix, RejectsOutOfRangeEntries) {
    EXPECT_THROW(count_matrix_from_triplets(2, 2, {{2, 0, 1}}), OptionError);
}

TEST(SparseMatrix, EmptyColumnsHaveEmptySpans) {
    const auto m = count_matrix_from_triplets(2, 3, {{1, 2, 9}});
    EXPECT_TRUE(m.column_rows(0).empty());
    EXPECT_TRUE(m.column_rows(1).empty());
    ASSERT_EQ(m.column_rows(2).size(), 1U);
    EXPECT_EQ(m.column_values(2)[0], 9U);
}
