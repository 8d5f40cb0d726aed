// PrefetchWalk: best-first search over path probability in a HotSubgraph.
//
// From a start node it repeatedly takes the most probable frontier entry
// (path probability = product of edge probabilities), emits it as a result
// unless it is the start, a duplicate or rejected by the caller's filter
// (already loaded), and expands its top-N callees while its depth is below
// the limit. Because edge probabilities are <= 1, path probabilities never
// grow along a path, so results come out most probable first and the first
// time a node is taken is along its most probable path.
//
// A node reached again along a shorter (lower-depth) path is expanded again
// from that depth, since the depth limit may have cut the first expansion.
// A leaf (callee whose own callees are not in the snapshot) is emitted but
// cannot be expanded; the hooks hear about it so the engine can pull it in.
//
// Candidates are taken in rounds: as many as results are still wanted are
// taken (and expanded) first, then `accept` filters them in order, so the
// cache misses of its lookups overlap instead of following one another. The
// walk's order does not depend on `accept`, and a round takes no more
// candidates than would be taken one at a time, so the results, and the
// candidates `accept` is asked about, are the same as a one-at-a-time walk.
//
// All scratch is fixed-size on the stack: the frontier holds kMaxFrontier
// entries (when full, the least probable entry is replaced if the new one is
// more probable), so no allocation, lock, I/O or exception. Any thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "blobgraph/engine.h"
#include "engine/hot_subgraph.h"

namespace blobgraph::engine {

inline constexpr uint32_t kMaxWalkDepth = kMaxPrefetchDepth;
inline constexpr size_t kMaxFrontier = 256;
inline constexpr size_t kMaxWalkResults = kMaxPrefetchResults;

// Callbacks into the engine, kept as plain function pointers so the walk
// stays a non-template in its own .cc.
struct WalkHooks {
  // Returns false to drop a candidate (for example: already loaded). May be
  // null (accept everything).
  bool (*accept)(void* context, const BlobHash& hash) noexcept = nullptr;
  // A node the walk wanted to expand but whose callees are not in the
  // snapshot (a leaf). May be null.
  void (*incomplete)(void* context, const BlobHash& hash) noexcept = nullptr;
  // The batch form of `accept`, used instead of it when set: keeps the
  // accepted ones of `candidates[0, count)` in order at the front and
  // returns how many, deciding each as `accept` would in that order. One
  // call per round lets the engine start all of a round's lookups at once.
  // `nodes[i]` is candidates[i]'s node in `graph` and `parents[i]` the node
  // whose edge produced it (the last edge of its most probable path; kNoNode
  // for a candidate no edge produced); the filter compacts both along with
  // the candidates.
  size_t (*filter)(void* context, const HotSubgraph& graph, uint32_t* nodes, uint32_t* parents,
                   Prediction* candidates, size_t count) noexcept = nullptr;
  void* context = nullptr;
};

// Writes up to min(capacity, options.max_results, kMaxWalkResults)
// predictions into `out` and returns how many. `start` must be a node of
// `graph`. options.enabled is not looked at (the engine checks it).
// REQUIRES: `out` has room for `capacity` entries.
size_t PrefetchWalk(const HotSubgraph& graph, uint32_t start, const PrefetchOptions& options,
                    const WalkHooks& hooks, Prediction* out, size_t capacity) noexcept;

}  // namespace blobgraph::engine
