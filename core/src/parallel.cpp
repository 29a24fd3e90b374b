#include "kupffer/core/parallel.hpp"

#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_invoke.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <vector>

namespace kupffer {

int resolve_threads(int requested) {
    if (requested > 0) return requested;
    return std::max(1, tbb::info::default_concurrency());
}

void parallel_for(std::size_t n_tasks, int n_threads, const std::function<void(std::size_t)>& fn) {
    if (n_tasks == 0) return;
    const int threads = resolve_threads(n_threads);
    if (threads == 1 || n_tasks == 1) {
        for (std::size_t i = 0; i < n_tasks; ++i) fn(i);
        return;
    }
    tbb::task_arena arena(threads);
    arena.execute([&] {
        // Grain size 1 with the simple partitioner: each task is one caller-defined unit of work.
        tbb::parallel_for(
            tbb::blocked_range<std::size_t>(0, n_tasks, 1),
            [&](const tbb::blocked_range<std::size_t>& range) {
                for (std::size_t i = range.begin(); i != range.end(); ++i) fn(i);
            },
            tbb::simple_partitioner());
    });
}

void run_concurrently(int n_threads, const std::function<void()>& a, const std::function<void()>& b) {
    if (resolve_threads(n_threads) == 1) {
        a();
        b();
        return;
    }
    tbb::task_arena arena(2);
    arena.execute([&] { tbb::parallel_invoke(a, b); });
}

void parallel_chunks(std::size_t n_items, std::size_t chunk_size, int n_threads,
                     const std::function<void(std::size_t, std::size_t, std::size_t)>& fn) {
    if (chunk_size == 0) chunk_size = 1;
    const std::size_t n_chunks = (n_items + chunk_size - 1) / chunk_size;
    parallel_for(n_chunks, n_threads, [&](std::size_t chunk) {
        const std::size_t begin = chunk * chunk_size;
        fn(chunk, begin, std::min(n_items, begin + chunk_size));
    });
}

struct BackgroundTask::State {
    // The arena the work was started in (e.g. an ordered pipeline's): waiting joins it, so the
    // waiting thread can run the work itself even after the pipeline's own threads have left.
    std::optional<tbb::task_arena> arena;
    tbb::task_group group;
    bool running = false;
};

BackgroundTask::BackgroundTask() : state_(std::make_unique<State>()) {}

BackgroundTask::~BackgroundTask() {
    try {
        wait();
    } catch (...) {
        // The owner is unwinding from another error, or never asked: nothing more to report.
    }
}

void BackgroundTask::run(std::function<void()> work) {
    wait();
    state_->arena.emplace(tbb::task_arena::attach());
    state_->running = true;
    state_->arena->execute([&] { state_->group.run(std::move(work)); });
}

void BackgroundTask::wait() {
    if (!state_->running) return;
    state_->running = false;
    // While waiting, this thread may run other tasks of the arena (never the same serial
    // pipeline stage again: oneTBB runs those one item at a time), or the work itself.
    state_->arena->execute([&] { state_->group.wait(); });
}

namespace internal {

void run_ordered_pipeline(int n_threads, std::size_t max_in_flight,
                          const std::function<std::unique_ptr<PipelineItem>()>& read,
                          const std::function<void(PipelineItem&)>* read_more,
                          const std::function<void(PipelineItem&)>& transform,
                          const std::function<void(PipelineItem&)>& write) {
    const int threads = resolve_threads(n_threads);
    if (max_in_flight == 0) max_in_flight = static_cast<std::size_t>(threads) * 2;
    // Items travel as raw pointers between stages; ownership is restored in the last stage, and
    // anything still in flight when an exception unwinds the pipeline is reclaimed by `in_flight`.
    std::vector<std::unique_ptr<PipelineItem>> in_flight;
    std::mutex guard;
    auto keep = [&](std::unique_ptr<PipelineItem> item) {
        std::lock_guard lock(guard);
        in_flight.push_back(std::move(item));
        return in_flight.back().get();
    };
    auto release = [&](PipelineItem* item) {
        std::lock_guard lock(guard);
        auto it = std::find_if(in_flight.begin(), in_flight.end(), [&](auto& p) { return p.get() == item; });
        if (it != in_flight.end()) in_flight.erase(it);
    };
    auto input = tbb::make_filter<void, PipelineItem*>(tbb::filter_mode::serial_in_order,
                                                        [&](tbb::flow_control& fc) -> PipelineItem* {
                                                            auto item = read();
                                                            if (!item) {
                                                                fc.stop();
                                                                return nullptr;
                                                            }
                                                            return keep(std::move(item));
                                                        });
    auto more = tbb::make_filter<PipelineItem*, PipelineItem*>(tbb::filter_mode::serial_in_order, [&](PipelineItem* item) {
        (*read_more)(*item);
        return item;
    });
    auto work = tbb::make_filter<PipelineItem*, PipelineItem*>(tbb::filter_mode::parallel, [&](PipelineItem* item) {
        transform(*item);
        return item;
    });
    auto output = tbb::make_filter<PipelineItem*, void>(tbb::filter_mode::serial_in_order, [&](PipelineItem* item) {
        write(*item);
        release(item);
    });
    tbb::task_arena arena(threads);
    arena.execute([&] {
        if (read_more) tbb::parallel_pipeline(max_in_flight, input & more & work & output);
        else tbb::parallel_pipeline(max_in_flight, input & work & output);
    });
}

}  // namespace internal
}  // namespace kupffer
