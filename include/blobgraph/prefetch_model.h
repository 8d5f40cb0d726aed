// PrefetchModel: p(callee | caller) as the engine's walks use it, the
// probability that a run of the caller calls the callee.
//
// A prefetch is worth its fetch when the callee will be called during this
// run, so each edge gets its own probability (a caller's p_i do not sum to
// 1: a caller may call several callees in one run). It is a Beta-Bernoulli
// estimate over recorded runs, with the dependency list as the prior:
//
//   p = (t + a * π) / (r + a + w)
//
//   r    runs of the caller: the run weight of its load records (recorded
//        runs that loaded it); for a caller with observed calls but no load
//        record (counts imported or merged without runs) the store knows
//        calls, not runs, so each of its invocations counts as a run: r is
//        max_j d_j, the lower bound on them, and p becomes a share of the
//        caller's invocations; 0 for a caller never seen running;
//   t    runs that took the edge: min(d, r) for d observed calls;
//   w    wasted predictions of the edge (CalleeInfo::wasted_count): each
//        time the engine predicted the callee from this caller and the
//        prediction went unused is counted as one more run of the caller
//        that did not take the edge (t stays, r grows by one), so a
//        repeatedly wasted edge falls toward 0 as Chromium's predictor
//        drops a resource after consecutive misses. Decay ages w with the
//        dynamic counts;
//   a    prior_runs: how many runs the prior is worth;
//   π    the prior of a listed edge with s call sites into callee x:
//        1 - (1 - m_x)^s (each site taken with probability m_x);
//   m_x  the prior of one call site into callee x, learned from the other
//        callers that list x: (T_x + b * m) / (L_x + b), where L_x sums r over
//        the callers that list x and ran, T_x their t on that edge, and
//        b = callee_prior_runs. An unlisted edge has no prior (π = 0): it
//        is only as likely as it was observed.
//   m    how precise this store's lists have proven: the same sums over every
//        listed edge of a caller that ran, (T + k * m0) / (L + k), with
//        m0 = default_list_precision and k = precision_prior_edges.
//
// What it says about the three kinds of edge (README, "Model"): an observed
// edge taken in every recorded run is close to 1 (t = r); a listed edge its caller ran past without
// taking falls to a * π / (r + a), a few percent after one run; the
// listed callees of a caller never seen running keep π, which is lower for
// callees that other running callers listed and never called. Every p is in
// [0, 1].
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "blobgraph/status.h"

namespace blobgraph {

struct PrefetchModel {
  double prior_runs = 0.1;              // a
  double callee_prior_runs = 0.5;       // b
  double default_list_precision = 0.3;  // m0
  double precision_prior_edges = 10;    // k

  // m from the store-wide sums (T, L) over listed edges of callers that ran.
  double ListPrecision(double taken_runs, double listed_runs) const {
    return (taken_runs + precision_prior_edges * default_list_precision) /
           (listed_runs + precision_prior_edges);
  }
  // m_x from x's sums (T_x, L_x) and the store's m.
  double ListedPrior(double taken_runs, double listed_runs, double list_precision) const {
    double denominator = listed_runs + callee_prior_runs;
    return denominator > 0 ? (taken_runs + callee_prior_runs * list_precision) / denominator
                           : list_precision;
  }
  // π of an edge with `sites` call sites into a callee of prior m_x.
  static double SitePrior(double callee_prior, uint64_t sites) {
    if (sites == 0) return 0;
    if (sites == 1) return callee_prior;
    return 1 - std::pow(1 - callee_prior, static_cast<double>(std::min<uint64_t>(sites, 1024)));
  }
  // p for an edge taken in `taken_runs` of the caller's `caller_runs`, with
  // prior `prior` (π, 0 for an unlisted edge) and `wasted` wasted
  // predictions (w). Always in [0, 1]; a negative or NaN `wasted` counts as 0.
  double Probability(double taken_runs, double caller_runs, double prior, double wasted) const {
    double w = wasted > 0 ? wasted : 0.0;
    double denominator = caller_runs + prior_runs + w;
    if (!(denominator > 0)) return std::clamp(prior, 0.0, 1.0);
    double p = (std::min(taken_runs, caller_runs) + prior_runs * prior) / denominator;
    return p > 0 ? std::min(p, 1.0) : 0.0;
  }
};

// kInvalidInput naming `what` unless every field is finite and in range:
// prior_runs and callee_prior_runs 0..1e6, default_list_precision 0..1,
// precision_prior_edges 0..1e12.
Status ValidatePrefetchModel(const PrefetchModel& model, const std::string& what);

}  // namespace blobgraph
