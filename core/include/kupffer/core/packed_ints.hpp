#pragma once
// Unsigned integers of a fixed bit width (1..56) packed end to end in 64-bit words, appended and
// read at random: the k-mer index's values and postings, where 33 bits a value instead of 64
// decide whether a primate reference fits a node. The words sit on huge pages (random reads) and
// are saved and loaded as they are; one spare word at the end lets get() read 8 bytes at any bit.
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "kupffer/core/huge_pages.hpp"

namespace kupffer {

class PackedInts {
public:
    PackedInts() = default;
    explicit PackedInts(unsigned width) : width_(width), mask_(width >= 64 ? ~0ULL : (std::uint64_t{1} << width) - 1) {
        if (width == 0 || width > 56) throw std::invalid_argument("PackedInts width must be 1..56");
        words_.assign(1, 0);
    }
    /// Bits needed for values up to and including `max_value` (at least 1).
    static unsigned bits_for(std::uint64_t max_value) noexcept {
        unsigned bits = 1;
        while (bits < 64 && (max_value >> bits) != 0) ++bits;
        return bits;
    }

    unsigned width() const noexcept { return width_; }
    std::uint64_t size() const noexcept { return size_; }
    std::uint64_t max_value() const noexcept { return mask_; }

    void reserve(std::uint64_t n) { words_.reserve(words_for(n)); }
    /// Appends `value` (which must fit the width: checked, std::out_of_range if not).
    void push_back(std::uint64_t value) {
        if (value > mask_) throw std::out_of_range("value does not fit the packed width");
        const std::uint64_t bit = size_ * width_;
        words_.resize(words_for(size_ + 1), 0);
        const unsigned shift = bit % 64;
        words_[bit / 64] |= value << shift;
        if (shift + width_ > 64) words_[bit / 64 + 1] |= value >> (64 - shift);
        ++size_;
    }
    std::uint64_t get(std::uint64_t i) const noexcept {
        const std::uint64_t bit = i * width_;
        std::uint64_t word;  // 8 bytes from the byte holding the value's first bit: width + 7 <= 63
        std::memcpy(&word, reinterpret_cast<const char*>(words_.data()) + bit / 8, sizeof word);
        return (word >> (bit % 8)) & mask_;
    }
    const char* address_of(std::uint64_t i) const noexcept {
        return reinterpret_cast<const char*>(words_.data()) + i * width_ / 8;
    }

    /// The raw words, for saving; restore with from_words().
    const HugePageVector<std::uint64_t>& words() const noexcept { return words_; }
    /// Rebuilds from saved words; false if they cannot hold `size` values of `width` bits.
    bool from_words(unsigned width, std::uint64_t size, HugePageVector<std::uint64_t> words) {
        if (width == 0 || width > 56 || words.size() != words_for_width(width, size)) return false;
        *this = PackedInts(width);
        words_ = std::move(words);
        size_ = size;
        return true;
    }

private:
    static std::uint64_t words_for_width(unsigned width, std::uint64_t n) noexcept { return (n * width + 63) / 64 + 1; }
    std::uint64_t words_for(std::uint64_t n) const noexcept { return words_for_width(width_, n); }
    unsigned width_ = 1;
    std::uint64_t mask_ = 1;
    std::uint64_t size_ = 0;
    HugePageVector<std::uint64_t> words_;
};

}  // namespace kupffer
