// A faithful C++ port of ../shared/reference/blob_prefetch.rs, the baseline
// the benchmarks compare the engine against, run on the same graphs in the
// same process. Kept deliberately as the reference does it:
//   - HashMap<[u8;32], Vec<CallEdge>> -> unordered_map<BlobHash, vector<CallEdge>>
//     (std::hash<BlobHash> is the hash's first 8 bytes: cheaper than Rust's
//     default SipHash, so if anything this flatters the baseline);
//   - likely_callees clones the caller's edges, stable-sorts them by
//     static + dynamic weight and truncates to top_n, on every lookup;
//   - prefetch walks a DFS stack with a fresh HashSet per call, keeps edges
//     whose combined weight (not path probability) is >= min_probability,
//     then pushes the set into a mutex-guarded queue;
//   - static weights are shares of call sites, dynamic weights as
//     update_dynamic_weight computes them.
// Threads: one at a time, like the reference (&mut self).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "blobgraph/blob_hash.h"
#include "blobgraph/graph_store.h"

namespace blobgraph::bench {

struct ReferenceCallEdge {
  BlobHash callee_hash;
  float static_weight = 0;
  float dynamic_weight = 0;
};

struct ReferenceConfig {
  size_t max_prefetch_depth = 2;
  size_t top_n_callees = 4;
  float min_probability = 0.1f;
  bool enabled = true;
};

struct ReferenceStats {
  uint64_t prefetch_requests = 0;
  uint64_t cache_hits_from_prefetch = 0;
  uint64_t wasted_prefetches = 0;
};

class ReferenceCallGraph {
 public:
  using Dependencies = std::vector<std::pair<BlobHash, std::vector<BlobHash>>>;
  static ReferenceCallGraph BuildFromDependencies(const Dependencies& blobs);
  // The same graph from (caller, callee, static_count = call sites) rows,
  // as if each callee were listed static_count times.
  static ReferenceCallGraph BuildFromCallSiteCounts(const std::vector<EdgeDelta>& edges);

  std::vector<ReferenceCallEdge> LikelyCallees(const BlobHash& hash, size_t top_n) const;
  void UpdateDynamicWeight(const BlobHash& caller, const BlobHash& callee, uint64_t count);
  size_t caller_count() const { return edges_.size(); }

 private:
  std::unordered_map<BlobHash, std::vector<ReferenceCallEdge>> edges_;
};

class ReferencePrefetcher {
 public:
  explicit ReferencePrefetcher(ReferenceConfig config) : config_(config) {}
  void BuildCallGraph(const ReferenceCallGraph::Dependencies& blobs) {
    call_graph_ = ReferenceCallGraph::BuildFromDependencies(blobs);
  }
  void SetCallGraph(ReferenceCallGraph graph) { call_graph_ = std::move(graph); }

  void Prefetch(const BlobHash& function_hash);
  std::vector<BlobHash> GetPrefetchQueue();
  void RecordCall(const BlobHash& caller, const BlobHash& callee, uint64_t count) {
    call_graph_.UpdateDynamicWeight(caller, callee, count);
  }
  const ReferenceStats& stats() const { return stats_; }
  const ReferenceCallGraph& call_graph() const { return call_graph_; }

 private:
  ReferenceCallGraph call_graph_;
  ReferenceConfig config_;
  std::mutex queue_mutex_;
  std::vector<BlobHash> prefetch_queue_;
  ReferenceStats stats_;
};

}  // namespace blobgraph::bench
