#pragma once
// The only ways kupffer runs work in parallel, all on oneTBB:
//  - parallel_for: independent tasks indexed 0..n-1 (callers define the chunking, so results never
//    depend on how many threads ran them); run_concurrently: two independent stages side by side;
//  - ordered_pipeline: read serially -> transform in parallel -> write serially in input order
//    (minimap2's kt_pipeline), for streaming I/O whose output order must not depend on scheduling;
//  - BackgroundTask: one piece of work run by the current arena's threads while its caller goes on.
// An exception thrown by any task stops the work and is rethrown to the caller.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

namespace kupffer {

/// Resolves a user's thread count: 0 means "all hardware threads"; never less than 1.
int resolve_threads(int requested);

/// Runs fn(task) for every task in [0, n_tasks) on at most n_threads threads.
void parallel_for(std::size_t n_tasks, int n_threads, const std::function<void(std::size_t)>& fn);

/// Runs two independent pieces of work at the same time (one after the other with one thread);
/// each may use parallel_for itself. For stages whose results do not depend on each other.
void run_concurrently(int n_threads, const std::function<void()>& a, const std::function<void()>& b);

/// Splits [0, n_items) into fixed chunks of chunk_size (the last may be shorter) and runs
/// fn(chunk_index, begin, end) for each chunk in parallel. Chunk boundaries depend only on
/// n_items and chunk_size, never on the thread count.
void parallel_chunks(std::size_t n_items, std::size_t chunk_size, int n_threads,
                     const std::function<void(std::size_t, std::size_t, std::size_t)>& fn);

/// One piece of work at a time, run by the threads of the current oneTBB arena (e.g. an ordered
/// pipeline's) while the caller goes on: a serial stage hands off a slow step (sorting and
/// spilling a full buffer) instead of stalling the pipeline behind it. Where the work happens
/// never changes what it computes. wait() rethrows what the work threw; the destructor waits
/// (and swallows errors: call wait() to see them).
class BackgroundTask {
public:
    BackgroundTask();
    ~BackgroundTask();
    BackgroundTask(const BackgroundTask&) = delete;
    BackgroundTask& operator=(const BackgroundTask&) = delete;
    /// Waits for the previous work (rethrowing its error), then starts `work`.
    void run(std::function<void()> work);
    /// Returns once no work is running; rethrows the error of the work it waited for.
    void wait();

private:
    struct State;
    std::unique_ptr<State> state_;
};

namespace internal {
struct PipelineItem {
    virtual ~PipelineItem() = default;
};
void run_ordered_pipeline(int n_threads, std::size_t max_in_flight,
                          const std::function<std::unique_ptr<PipelineItem>()>& read,
                          const std::function<void(PipelineItem&)>* read_more,
                          const std::function<void(PipelineItem&)>& transform,
                          const std::function<void(PipelineItem&)>& write);
}  // namespace internal

namespace internal {
template <class Item>
void ordered_pipeline_of(int n_threads, std::size_t max_in_flight, std::function<std::optional<Item>()>& read,
                         std::function<void(Item&)>* read_more, std::function<void(Item&)>& transform,
                         std::function<void(Item&)>& write) {
    struct Holder final : PipelineItem {
        explicit Holder(Item&& v) : value(std::move(v)) {}
        Item value;
    };
    auto value = [](PipelineItem& item) -> Item& { return static_cast<Holder&>(item).value; };
    const std::function<void(PipelineItem&)> more = [&](PipelineItem& item) { (*read_more)(value(item)); };
    run_ordered_pipeline(
        n_threads, max_in_flight,
        [&]() -> std::unique_ptr<PipelineItem> {
            auto next = read();
            if (!next) return nullptr;
            return std::make_unique<Holder>(std::move(*next));
        },
        read_more ? &more : nullptr, [&](PipelineItem& item) { transform(value(item)); }, [&](PipelineItem& item) { write(value(item)); });
}
}  // namespace internal

/// read() returns the next item or std::nullopt at the end; transform(item) runs in parallel on up
/// to max_in_flight items; write(item) sees items in the order read() produced them.
template <class Item>
void ordered_pipeline(int n_threads, std::size_t max_in_flight, std::function<std::optional<Item>()> read,
                      std::function<void(Item&)> transform, std::function<void(Item&)> write) {
    internal::ordered_pipeline_of<Item>(n_threads, max_in_flight, read, nullptr, transform, write);
}

/// As above with a second serial, in-order input stage: read(item i+1) and read_more(item i) run
/// at the same time on different threads (e.g. decompressing R1 and R2 of the same batch).
template <class Item>
void ordered_pipeline(int n_threads, std::size_t max_in_flight, std::function<std::optional<Item>()> read,
                      std::function<void(Item&)> read_more, std::function<void(Item&)> transform,
                      std::function<void(Item&)> write) {
    internal::ordered_pipeline_of<Item>(n_threads, max_in_flight, read, &read_more, transform, write);
}

}  // namespace kupffer
