// FeedbackStats: how well prefetching served a runtime.
//
// requests  Prefetch calls
// issued    hashes Prefetch returned for the first time (not already issued
//           or loaded)
// hits      issued hashes later loaded (OnLoad)
// wasted    issued hashes not loaded within EngineOptions::waste_window
//           later issues (or evicted from the tracking table)
// stalls    loads of functions never issued
// A plain value; the engine keeps one per engine and the store keeps the
// lifetime totals of every engine that flushed to it.
#pragma once

#include <cstdint>

namespace blobgraph {

struct FeedbackStats {
  uint64_t requests = 0;
  uint64_t issued = 0;
  uint64_t hits = 0;
  uint64_t wasted = 0;
  uint64_t stalls = 0;

  bool empty() const { return (requests | issued | hits | wasted | stalls) == 0; }
  FeedbackStats& operator+=(const FeedbackStats& more) {
    requests += more.requests;
    issued += more.issued;
    hits += more.hits;
    wasted += more.wasted;
    stalls += more.stalls;
    return *this;
  }
  // REQUIRES: every field of `less` is at most this one's.
  FeedbackStats operator-(const FeedbackStats& less) const {
    return {requests - less.requests, issued - less.issued, hits - less.hits, wasted - less.wasted,
            stalls - less.stalls};
  }
};

}  // namespace blobgraph
