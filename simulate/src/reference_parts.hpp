#pragma once
// Internal: the pieces of a simulated reference shared by the synthetic genome (reference.cpp) and
// the one over a real annotation (annotated_reference.cpp).
#include <string>
#include <vector>

#include "kupffer/core/random.hpp"
#include "kupffer/simulate/reference.hpp"

namespace kupffer::simulate::internal {

/// Exons in transcript (5'->3') order: reversed on the minus strand.
std::vector<Exon> transcript_order(std::vector<Exon> exons, char strand);
/// Random bases at 41% GC, as in mammalian genomes.
void fill_random(std::string& seq, Rng& rng);
/// Sets canonical GT..AG splice sites on every intron of every transcript.
void set_splice_sites(Reference& ref);

}  // namespace kupffer::simulate::internal
