#include "kupffer/align/umi_corrections.hpp"

#include <algorithm>
#include <iterator>

#include "kupffer/core/umi_clusters.hpp"

namespace kupffer::align {

void UmiCorrections::add(const Record& r, const std::vector<std::uint32_t>& genes) {
    if (open_ && (r.barcode != barcode_ || r.umi != umi_)) {
        close_umi();
        if (r.barcode != barcode_) close_barcode();
    }
    if (!open_ || r.barcode != barcode_ || r.umi != umi_) {
        barcode_ = r.barcode, umi_ = r.umi, open_ = true;
        umi_good_ = false;
        reads_ = 0;
    }
    if (r.flags & (kUmiHasN | kUmiHomopolymer)) return;  // dropped by count, read by read
    if (!umi_good_) {
        genes_ = genes;
        umi_good_ = true;
    } else {
        scratch_.clear();
        std::set_intersection(genes_.begin(), genes_.end(), genes.begin(), genes.end(), std::back_inserter(scratch_));
        genes_.swap(scratch_);
    }
    reads_ += r.count;
}

void UmiCorrections::close_umi() {
    if (umi_good_ && genes_.size() == 1) molecules_.push_back({genes_[0], umi_, reads_});
    umi_good_ = false;
}

void UmiCorrections::close_barcode() {
    std::sort(molecules_.begin(), molecules_.end(), [](const Molecule& a, const Molecule& b) {
        return a.gene != b.gene ? a.gene < b.gene : a.umi < b.umi;
    });
    std::vector<std::pair<std::uint64_t, std::uint32_t>> umis;
    std::vector<std::uint64_t> roots;
    for (std::size_t i = 0; i < molecules_.size();) {
        std::size_t j = i;
        umis.clear();
        for (; j < molecules_.size() && molecules_[j].gene == molecules_[i].gene; ++j) umis.emplace_back(molecules_[j].umi, molecules_[j].reads);
        if (umis.size() > 1 && directional_clusters(umis, umi_length_, &roots) < umis.size())
            for (std::size_t k = 0; k < umis.size(); ++k)
                if (roots[k] != umis[k].first) changes_[{barcode_, umis[k].first, molecules_[i].gene}] = roots[k];
        i = j;
    }
    molecules_.clear();
}

void UmiCorrections::finish() {
    if (!open_) return;
    close_umi();
    close_barcode();
    open_ = false;
}

std::uint64_t UmiCorrections::corrected(std::uint64_t barcode, std::uint32_t gene, std::uint64_t umi) const {
    const auto it = changes_.find({barcode, umi, gene});
    return it == changes_.end() ? umi : it->second;
}

}  // namespace kupffer::align
