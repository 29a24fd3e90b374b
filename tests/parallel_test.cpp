#include "kupffer/core/parallel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "kupffer/core/random.hpp"

using namespace kupffer;

TEST(ParallelFor, RunsEveryTaskExactlyOnce) {
    std::vector<std::atomic<int>> hits(1000);
    parallel_for(hits.size(), 4, [&](std::size_t i) { hits[i]++; });
    for (auto& h : hits) EXPECT_EQ(h.load(), 1);
}

TEST(ParallelFor, ResultsDoNotDependOnThreadCount) {
    // Each chunk draws from its own stream, so the numbers are the same on 1 or 8 threads.
    auto run = [](int threads) {
        std::vector<std::uint64_t> out(10'000);
        parallel_chunks(out.size(), 128, threads, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
            Rng rng(42, chunk);
            for (std::size_t i = begin; i < end; ++i) out[i] = rng();
        });
        return out;
    };
    const auto one = run(1);
    EXPECT_EQ(one, run(2));
    EXPECT_EQ(one, run(8));
}

TEST(ParallelFor, ChunksCoverTheRangeWithAShortLastChunk) {
    std::vector<std::pair<std::size_t, std::size_t>> seen(4);
    parallel_chunks(10, 3, 2, [&](std::size_t c, std::size_t b, std::size_t e) { seen[c] = {b, e}; });
    EXPECT_EQ(seen[0], (std::pair<std::size_t, std::size_t>{0, 3}));
    EXPECT_EQ(seen[3], (std::pair<std::size_t, std::size_t>{9, 10}));
}

TEST(ParallelFor, PropagatesWorkerExceptions) {
    EXPECT_THROW(parallel_for(100, 4,
                              [](std::size_t i) {
                                  if (i == 37) throw std::runtime_error("task 37 failed");
                              }),
                 std::runtime_error);
}

TEST(ParallelFor, ZeroThreadsMeansAllHardwareThreads) { EXPECT_GE(resolve_threads(0), 1); }

TEST(OrderedPipeline, WritesInInputOrderWhateverTheScheduling) {
    std::size_t next = 0;
    std::vector<std::uint64_t> written;
    ordered_pipeline<std::pair<std::size_t, std::uint64_t>>(
        4, 8,
        [&]() -> std::optional<std::pair<std::size_t, std::uint64_t>> {
            if (next == 200) return std::nullopt;
            return std::pair<std::size_t, std::uint64_t>{next++, 0};
        },
        [](auto& item) {
            // Uneven work so items finish out of order.
            std::uint64_t acc = item.first;
            for (std::size_t k = 0; k < (item.first % 7) * 20'000; ++k) acc = acc * 6364136223846793005ULL + 1;
            item.second = item.first;
            (void)acc;
        },
        [&](auto& item) { written.push_back(item.second); });
    std::vector<std::uint64_t> expected(200);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(written, expected);
}

TEST(OrderedPipeline, PropagatesExceptionsFromTheTransformStage) {
    int next = 0;
    EXPECT_THROW(ordered_pipeline<int>(
                     2, 4, [&]() -> std::optional<int> { return next < 50 ? std::optional<int>(next++) : std::nullopt; },
                     [](int& v) {
                         if (v == 20) throw std::runtime_error("bad item");
                     },
                     [](int&) {}),
                 std::runtime_error);
}

TEST(RunConcurrently, RunsBothAndRethrows) {
    for (int threads : {1, 2, 4}) {
        std::atomic<int> a{0}, b{0};
        kupffer::run_concurrently(
            threads, [&] { kupffer::parallel_for(100, threads, [&](std::size_t) { ++a; }); }, [&] { b = 7; });
        EXPECT_EQ(a.load(), 100);
        EXPECT_EQ(b.load(), 7);
        EXPECT_THROW(kupffer::run_concurrently(threads, [] {}, [] { throw std::runtime_error("stage failed"); }), std::runtime_error);
    }
}

TEST(BackgroundTask, SerialStageHandsOffWorkWithOneOrManyThreadsAndSeesItsErrors) {
    for (int threads : {1, 2, 4}) {
        // The write stage hands every 10th item's sum to the background, one at a time.
        int next = 0;
        std::uint64_t sums = 0, handed = 0, running_sum = 0;
        BackgroundTask background;
        ordered_pipeline<int>(
            threads, 8, [&]() -> std::optional<int> { return next < 100 ? std::optional<int>(next++) : std::nullopt; },
            [](int&) {},
            [&](int& v) {
                running_sum += static_cast<std::uint64_t>(v);
                if (v % 10 == 9) {
                    const std::uint64_t snapshot = running_sum;
                    background.run([&sums, &handed, snapshot] {
                        sums += snapshot;  // run() waited for the previous one: no race
                        ++handed;
                    });
                }
            });
        background.wait();
        EXPECT_EQ(handed, 10U) << threads;
        std::uint64_t expected = 0;
        for (int end = 10; end <= 100; end += 10) expected += static_cast<std::uint64_t>(end * (end - 1) / 2);
        EXPECT_EQ(sums, expected) << threads;
    }
    BackgroundTask failing;
    failing.run([] { throw std::runtime_error("disk full"); });
    EXPECT_THROW(failing.wait(), std::runtime_error);
    failing.run([] {});  // usable again
    EXPECT_NO_THROW(failing.wait());
}
