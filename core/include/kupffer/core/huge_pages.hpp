#pragma once
// An allocator for large arrays read at random (the k-mer index, the barcode whitelist): blocks
// of 2 MiB or more are 2 MiB-aligned and marked for transparent huge pages (madvise), so a random
// lookup costs a cache miss but rarely a TLB miss and page walk as well. The advice is a hint:
// kernels without transparent huge pages ignore it. Smaller blocks come from std::allocator.
// Large blocks are mapped and unmapped directly (not through malloc): advice given to a heap range
// would outlive the free and apply to unrelated allocations made there later in a long
// `kupffer run` process.
// resize() default-initialises: plain structs are left as they are (a bulk read fills them next)
// rather than zeroed first, which for a 200 MB index is a pass over memory for nothing.
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace kupffer {

inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

template <class T>
struct HugePageAllocator {
    using value_type = T;
    HugePageAllocator() noexcept = default;
    template <class U>
    HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        const std::size_t bytes = n * sizeof(T);
        if (bytes < kHugePageBytes) return std::allocator<T>().allocate(n);
        const std::size_t rounded = round_up(bytes);
        // Map one huge page more than needed and trim to a 2 MiB-aligned range.
        void* raw = mmap(nullptr, rounded + kHugePageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED) throw std::bad_alloc();
        const auto start = reinterpret_cast<std::uintptr_t>(raw);
        const auto aligned = (start + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
        if (aligned > start) munmap(raw, aligned - start);
        const auto tail = start + rounded + kHugePageBytes - (aligned + rounded);
        if (tail) munmap(reinterpret_cast<void*>(aligned + rounded), tail);
        (void)madvise(reinterpret_cast<void*>(aligned), rounded, MADV_HUGEPAGE);
        return reinterpret_cast<T*>(aligned);
    }
    void deallocate(T* p, std::size_t n) noexcept {
        if (n * sizeof(T) < kHugePageBytes) std::allocator<T>().deallocate(p, n);
        else munmap(p, round_up(n * sizeof(T)));
    }
    static std::size_t round_up(std::size_t bytes) noexcept { return (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes; }
    template <class U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
    template <class U>
    bool operator==(const HugePageAllocator<U>&) const noexcept { return true; }
};

/// A vector whose large buffers sit on huge pages.
template <class T>
using HugePageVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace kupffer
