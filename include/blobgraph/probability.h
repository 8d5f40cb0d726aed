// ProbabilityModel: turns an edge's counts into p(callee | caller).
//
// Static call-site counts are a prior, observed (dynamic) calls the evidence:
//
//   p_i = (A * s_i + d_i) / (A * S + D),    A = prior_weight * max(1, max_j d_j)
//
// where s_i, d_i are the edge's static and dynamic counts and S, D their sums
// over all of the caller's edges. A is the prior's strength in pseudo-calls
// per call site. It grows with the evidence: max_j d_j (the caller's most
// frequent call) is a lower bound on how many times the caller ran, so each
// call site keeps the weight of `prior_weight` calls *per run of the caller*.
// Why: a profile comes from one input; a call site never taken on that input
// is still a possible call on the next one, and must not fade to nothing just
// because the caller ran often (a plain (a*s_i + d_i)/(a*S + D) with fixed a
// does exactly that, and misses the callees a new input needs first).
//
// With no observations p_i = s_i / S (the share of call sites); with
// observations and no static sites, the observed frequencies. Every p_i is in
// [0, 1] and they sum to 1 over the caller's callees. A caller with no
// counts at all has no distribution (Probability returns 0).
//
// The reference added a static share and a dynamic share (sums up to 2) and
// normalised a raw count against other edges' *weights*; this replaces both.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

#include "blobgraph/status.h"

namespace blobgraph {

// The sums over one caller's edges that every p_i of that caller needs.
// Never wraps: the integer sums saturate at 2^64 - 1 (a store refuses counts
// whose sums overflow, so saturation only shows on data written around that
// check), and the probability uses the floating-point sums beside them,
// which cannot overflow at all.
struct RowTotals {
  uint64_t static_total = 0;   // saturating
  uint64_t dynamic_total = 0;  // saturating
  uint64_t max_dynamic = 0;
  double static_sum = 0;  // the same sums, in floating point
  double dynamic_sum = 0;

  void Add(uint64_t static_count, uint64_t dynamic_count) {
    static_total = SaturatingSum(static_total, static_count);
    dynamic_total = SaturatingSum(dynamic_total, dynamic_count);
    static_sum += static_cast<double>(static_count);
    dynamic_sum += static_cast<double>(dynamic_count);
    max_dynamic = std::max(max_dynamic, dynamic_count);
  }
  // True if an integer sum reached its ceiling (the caller's counts overflow).
  bool saturated() const {
    return static_total == std::numeric_limits<uint64_t>::max() ||
           dynamic_total == std::numeric_limits<uint64_t>::max();
  }

  static uint64_t SaturatingSum(uint64_t a, uint64_t b) {
    return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max()
                                                        : a + b;
  }
};

struct ProbabilityModel {
  // Pseudo-calls each static call site contributes per run of its caller.
  // 0.5: a site never taken keeps half the weight of a call taken on every
  // run, so observed calls outrank a guess from the code but never erase it.
  // (Replays of the samples are flat for 0.25..4; see README, "Model".)
  double prior_weight = 0.5;
  // Allowed: finite, 0 <= prior_weight <= kMaxPriorWeight. The bound keeps
  // A * S (A up to kMaxPriorWeight * 2^64, S up to 2^64) far below the
  // largest double, so no probability is inf/inf = NaN.
  static constexpr double kMaxPriorWeight = 1e6;

  double PriorStrength(const RowTotals& totals) const {
    return prior_weight * static_cast<double>(std::max<uint64_t>(1, totals.max_dynamic));
  }

  // REQUIRES: `totals` summed over the caller's edges, this one included.
  // Always in [0, 1] (never NaN): the sums are taken in double, where no
  // count total overflows (A * S stays below 2^64 * 2^64 * kMaxPriorWeight,
  // far inside double's range), and rounding is clamped. Over one caller
  // the p_i sum to 1 up to rounding (within 1e-12). Double, not long double:
  // this runs once per stored edge when an engine opens (x87 arithmetic
  // made a 1M-function open 7-10% slower).
  double Probability(uint64_t static_count, uint64_t dynamic_count, const RowTotals& totals) const {
    double prior = PriorStrength(totals);
    double denominator = prior * totals.static_sum + totals.dynamic_sum;
    if (!(denominator > 0.0) || !std::isfinite(denominator)) return 0.0;
    double numerator =
        prior * static_cast<double>(static_count) + static_cast<double>(dynamic_count);
    double p = numerator / denominator;
    if (!(p > 0.0)) return 0.0;  // also NaN (a NaN prior_weight)
    return p < 1.0 ? p : 1.0;
  }
};

// kInvalidInput naming `what` (e.g. "engine options") if `model` is outside
// its documented range: a NaN, infinite, negative or too large prior_weight.
inline Status ValidateProbabilityModel(const ProbabilityModel& model, const std::string& what) {
  double w = model.prior_weight;
  if (std::isfinite(w) && w >= 0.0 && w <= ProbabilityModel::kMaxPriorWeight) return Status::Ok();
  char value[32];
  std::snprintf(value, sizeof(value), "%g", w);
  return Status::InvalidInput(what + ": prior_weight is " + value +
                              "; expected a number from 0 to 1e+06");
}

}  // namespace blobgraph
