// ReplaySession: scores prefetch decisions against a recorded run.
//
// The protocol (README, "Replay"): nothing is loaded at first; the start set
// (up to `start_set` functions) is prefetched at event -1. For each event i
// (caller, callee), with f = callee: if f is not loaded it is a cold load,
// *covered* if f was prefetched at least `min_lead` events earlier (its
// lead = i - issue event), else a *stall*; f is marked loaded (Engine::OnLoad).
// A prefetch that came too late is a stall but not waste: it was loaded. Then the engine prefetches
// from f, and every returned hash neither loaded nor already prefetched becomes prefetched at event
// i. The engine is only read: the store is not changed.
//
// One session per replay; not thread-safe. The engine must be fresh (no
// loads recorded) for the counts to mean what they say.
#pragma once

#include <cstdint>
#include <iterator>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "blobgraph/engine.h"

namespace blobgraph::tools {

struct ReplaySettings {
  PrefetchOptions prefetch;
  size_t start_set = 0;  // functions issued before the first event
  // Events a prefetch must lead its first use by to count as covering it.
  // 1 = any earlier event will do (a prefetch issued at event i is used at
  // i + 1 at the earliest), so 1 adds no condition.
  uint64_t min_lead = 1;
};

// Lead thresholds reported as coverage at lead >= N, and the lower bounds
// of the lead buckets (the last bucket is open): 1, 2-9, 10-99, 100-999, 1000+.
inline constexpr uint64_t kCoverageLeads[] = {1, 10, 100};
inline constexpr uint64_t kLeadBucketStarts[] = {1, 2, 10, 100, 1000};
inline constexpr size_t kLeadBuckets = std::size(kLeadBucketStarts);
inline constexpr const char* kLeadBucketNames[] = {"1", "2-9", "10-99", "100-999", "1000+"};
static_assert(std::size(kLeadBucketNames) == kLeadBuckets);

struct ReplayReport {
  uint64_t events = 0;
  uint64_t distinct_functions = 0;  // distinct callees entered
  uint64_t cold_loads = 0;
  uint64_t covered = 0;
  uint64_t stalls = 0;
  uint64_t prefetched = 0;
  uint64_t wasted = 0;  // prefetched, never loaded in the trace
  uint64_t start_set_issued = 0;
  double lead_sum = 0;                       // events between prefetch and first use
  std::vector<uint64_t> leads;               // of each covered cold load, sorted by Finish()
  uint64_t lead_buckets[kLeadBuckets] = {};  // covered cold loads per lead bucket
  double engine_ns = 0;                      // time inside Engine::Prefetch
  FeedbackStats feedback;                    // the engine's own counters for the replay

  double coverage() const { return cold_loads ? double(covered) / cold_loads : 0.0; }
  double waste() const { return prefetched ? double(wasted) / prefetched : 0.0; }
  double mean_lead() const { return covered ? lead_sum / covered : 0.0; }
  // Mean of the two middle leads when the count is even; 0 when none.
  double median_lead() const;
  // Covered cold loads whose lead is at least `lead`, over all cold loads.
  double coverage_at_lead(uint64_t lead) const;
  double ns_per_event() const { return events ? engine_ns / events : 0.0; }
};

// One prefetch decision: `hash` became prefetched at `event` (-1: start set).
struct Decision {
  int64_t event;
  BlobHash hash;
};

class ReplaySession {
 public:
  // `decisions` may be null; else every decision is appended to it.
  ReplaySession(Engine* engine, const ReplaySettings& settings, std::vector<Decision>* decisions);

  // One event of the trace: `callee` was entered (its caller does not
  // matter to the protocol).
  void OnEvent(const BlobHash& callee);
  ReplayReport Finish();

 private:
  void Issue(int64_t event, const BlobHash& hash);

  Engine* engine_;
  ReplaySettings settings_;
  std::vector<Decision>* decisions_;
  ReplayReport report_;
  std::unordered_map<BlobHash, int64_t> prefetched_at_;
  std::unordered_set<BlobHash> loaded_;
  std::vector<Prediction> predictions_;
};

}  // namespace blobgraph::tools
