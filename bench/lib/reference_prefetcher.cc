#include "bench/lib/reference_prefetcher.h"

#include <algorithm>
#include <unordered_set>

namespace blobgraph::bench {
namespace {

void SortByStaticWeight(std::vector<ReferenceCallEdge>* edges) {
  // Rust's sort_by is stable.
  std::stable_sort(edges->begin(), edges->end(),
                   [](const ReferenceCallEdge& a, const ReferenceCallEdge& b) {
                     return a.static_weight > b.static_weight;
                   });
}

}  // namespace

ReferenceCallGraph ReferenceCallGraph::BuildFromDependencies(const Dependencies& blobs) {
  ReferenceCallGraph graph;
  for (const auto& [caller, callees] : blobs) {
    std::unordered_map<BlobHash, uint32_t> counts;
    for (const BlobHash& callee : callees) ++counts[callee];
    float total = 0;
    for (const auto& [hash, count] : counts) total += static_cast<float>(count);
    std::vector<ReferenceCallEdge> call_edges;
    for (const auto& [hash, count] : counts) {
      call_edges.push_back(ReferenceCallEdge{hash, static_cast<float>(count) / total, 0.0f});
    }
    SortByStaticWeight(&call_edges);
    graph.edges_[caller] = std::move(call_edges);  // insert: a repeat replaces
  }
  return graph;
}

ReferenceCallGraph ReferenceCallGraph::BuildFromCallSiteCounts(
    const std::vector<EdgeDelta>& edges) {
  ReferenceCallGraph graph;
  graph.edges_.reserve(edges.size() / 4 + 1);
  for (size_t i = 0; i < edges.size();) {
    size_t j = i;
    float total = 0;
    while (j < edges.size() && edges[j].caller == edges[i].caller) {
      total += static_cast<float>(edges[j].static_count);
      ++j;
    }
    std::vector<ReferenceCallEdge> call_edges;
    for (size_t k = i; k < j; ++k) {
      call_edges.push_back(ReferenceCallEdge{
          edges[k].callee, static_cast<float>(edges[k].static_count) / total, 0.0f});
    }
    SortByStaticWeight(&call_edges);
    graph.edges_[edges[i].caller] = std::move(call_edges);
    i = j;
  }
  return graph;
}

std::vector<ReferenceCallEdge> ReferenceCallGraph::LikelyCallees(const BlobHash& hash,
                                                                 size_t top_n) const {
  auto found = edges_.find(hash);
  if (found == edges_.end()) return {};
  std::vector<ReferenceCallEdge> ranked = found->second;  // clone
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const ReferenceCallEdge& a, const ReferenceCallEdge& b) {
                     return b.static_weight + b.dynamic_weight < a.static_weight + a.dynamic_weight;
                   });
  if (ranked.size() > top_n) ranked.resize(top_n);
  return ranked;
}

void ReferenceCallGraph::UpdateDynamicWeight(const BlobHash& caller, const BlobHash& callee,
                                             uint64_t count) {
  auto found = edges_.find(caller);
  if (found == edges_.end()) return;
  double total_dynamic = 0;
  for (const ReferenceCallEdge& e : found->second) {
    total_dynamic += e.callee_hash == callee ? static_cast<double>(count) : e.dynamic_weight;
  }
  for (ReferenceCallEdge& e : found->second) {
    if (e.callee_hash == callee) {
      e.dynamic_weight = total_dynamic > 0.0
                             ? static_cast<float>(count) / static_cast<float>(total_dynamic)
                             : 0.0f;
    }
  }
}

void ReferencePrefetcher::Prefetch(const BlobHash& function_hash) {
  if (!config_.enabled) return;
  stats_.prefetch_requests += 1;
  std::vector<std::pair<BlobHash, size_t>> to_visit = {{function_hash, 0}};
  std::unordered_set<BlobHash> enqueued;
  while (!to_visit.empty()) {
    auto [hash, depth] = to_visit.back();
    to_visit.pop_back();
    if (depth >= config_.max_prefetch_depth) continue;
    std::vector<ReferenceCallEdge> callees = call_graph_.LikelyCallees(hash, config_.top_n_callees);
    for (const ReferenceCallEdge& edge : callees) {
      float combined = edge.static_weight + edge.dynamic_weight;
      if (combined < config_.min_probability) continue;
      if (enqueued.insert(edge.callee_hash).second)
        to_visit.push_back({edge.callee_hash, depth + 1});
    }
  }
  if (!enqueued.empty()) {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    for (const BlobHash& hash : enqueued) prefetch_queue_.push_back(hash);
  }
}

std::vector<BlobHash> ReferencePrefetcher::GetPrefetchQueue() {
  std::lock_guard<std::mutex> lock(queue_mutex_);
  std::vector<BlobHash> drained;
  drained.swap(prefetch_queue_);
  return drained;
}

}  // namespace blobgraph::bench
