// ProbabilityModel: turns an edge's counts into p(callee | caller).
//
// Static call-site counts are a prior, observed (dynamic) calls the evidence:
//
//   p_i = (a * s_i + d_i) / (a * S + D)
//
// where s_i, d_i are the edge's static and dynamic counts, S and D their sums
// over all of the caller's edges, and a = prior_weight (pseudo-calls per call
// site). With no observations p_i = s_i / S (the share of call sites); as
// calls are observed the observed frequencies take over. Every p_i is in
// [0, 1] and they sum to 1 over the caller's callees. A caller with no counts
// at all has no distribution (Probability returns 0).
//
// The reference added a static share and a dynamic share (sums up to 2) and
// normalised a raw count against other edges' *weights*; this replaces both.
#pragma once

#include <cstdint>

namespace blobgraph {

struct ProbabilityModel {
  // Pseudo-calls each static call site contributes. 1.0 lets a handful of
  // observed calls outweigh a guess from the code, which suits profiles that
  // are recorded for long runs.
  double prior_weight = 1.0;

  double Probability(uint64_t static_count, uint64_t dynamic_count, uint64_t static_total,
                     uint64_t dynamic_total) const {
    double denominator = prior_weight * static_cast<double>(static_total) +
                         static_cast<double>(dynamic_total);
    if (denominator <= 0.0) return 0.0;
    double numerator = prior_weight * static_cast<double>(static_count) +
                       static_cast<double>(dynamic_count);
    return numerator / denominator;
  }
};

}  // namespace blobgraph
