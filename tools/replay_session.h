// ReplaySession: scores prefetch decisions against a recorded run.
//
// The protocol (README, "Replay"): nothing is loaded at first; the start set
// (up to `start_set` functions) is prefetched at event -1. For each event i
// (caller, callee), with f = callee: if f is not loaded it is a cold load,
// *covered* if f was prefetched at an earlier event, else a *stall*; f is
// marked loaded (Engine::OnLoad). Then the engine prefetches from f, and
// every returned hash neither loaded nor already prefetched becomes
// prefetched at event i. The engine is only read: the store is not changed.
//
// One session per replay; not thread-safe. The engine must be fresh (no
// loads recorded) for the counts to mean what they say.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "blobgraph/engine.h"

namespace blobgraph::tools {

struct ReplaySettings {
  PrefetchOptions prefetch;
  size_t start_set = 0;  // functions issued before the first event
};

struct ReplayReport {
  uint64_t events = 0;
  uint64_t distinct_functions = 0;  // distinct callees entered
  uint64_t cold_loads = 0;
  uint64_t covered = 0;
  uint64_t stalls = 0;
  uint64_t prefetched = 0;
  uint64_t wasted = 0;              // prefetched, never loaded in the trace
  uint64_t start_set_issued = 0;
  double lead_sum = 0;              // events between prefetch and first use
  double engine_ns = 0;             // time inside Engine::Prefetch
  FeedbackStats feedback;           // the engine's own counters for the replay

  double coverage() const { return cold_loads ? double(covered) / cold_loads : 0.0; }
  double waste() const { return prefetched ? double(wasted) / prefetched : 0.0; }
  double mean_lead() const { return covered ? lead_sum / covered : 0.0; }
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
