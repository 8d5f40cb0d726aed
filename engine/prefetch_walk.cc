#include "engine/prefetch_walk.h"

#include <algorithm>
#include <utility>

namespace blobgraph::engine {
namespace {

// `parent`: the node whose edge reached `node` on this path (the producing
// edge of the prediction, for the engine's per-edge feedback). 16 bytes, so
// heap moves stay whole aligned copies.
struct FrontierEntry {
  float probability;
  uint32_t node;
  uint32_t depth;
  uint32_t parent;
};
static_assert(sizeof(FrontierEntry) == 16);

// A max-heap by probability on a fixed array. When full, a push replaces the
// least probable entry (which sits among the leaves) if it beats it.
class Frontier {
 public:
  bool empty() const { return size_ == 0; }

  void Push(FrontierEntry entry) {
    size_t at;
    if (size_ < kMaxFrontier) {
      at = size_++;
    } else {
      at = kMaxFrontier / 2;
      for (size_t i = kMaxFrontier / 2 + 1; i < kMaxFrontier; ++i) {
        if (heap_[i].probability < heap_[at].probability) at = i;
      }
      if (heap_[at].probability >= entry.probability) return;
    }
    while (at > 0) {
      size_t parent = (at - 1) / 2;
      if (heap_[parent].probability >= entry.probability) break;
      heap_[at] = heap_[parent];
      at = parent;
    }
    heap_[at] = entry;
  }

  FrontierEntry Pop() {
    FrontierEntry top = heap_[0];
    FrontierEntry last = heap_[--size_];
    size_t at = 0;
    for (;;) {
      size_t child = 2 * at + 1;
      if (child >= size_) break;
      if (child + 1 < size_ && heap_[child + 1].probability > heap_[child].probability) ++child;
      if (heap_[child].probability <= last.probability) break;
      heap_[at] = heap_[child];
      at = child;
    }
    heap_[at] = last;
    return top;
  }

 private:
  FrontierEntry heap_[kMaxFrontier];
  size_t size_ = 0;
};

// Nodes taken so far, with the lowest depth each was expanded from. Typical
// walks take a handful of nodes, so they are kept in a small array searched
// linearly; past kLinear entries a hash index over the same entries is built
// once and used from then on. Nothing is cleared up front (a 1 KiB memset
// would cost a third of a typical walk).
class VisitedSet {
 public:
  static constexpr size_t kLinear = 24;
  static constexpr size_t kSlots = 256;
  static constexpr size_t kMaxEntries = kSlots * 3 / 4;

  bool full() const { return size_ >= kMaxEntries; }

  // Returns the entry of `node`; *found says whether it was there already.
  size_t FindOrInsert(uint32_t node, uint32_t depth, bool* found) {
    if (!indexed_) {
      for (size_t i = 0; i < size_; ++i) {
        if (nodes_[i] == node) {
          *found = true;
          return i;
        }
      }
      if (size_ < kLinear) return Append(node, depth, found);
      BuildIndex();
    }
    size_t slot = Home(node);
    for (; index_[slot] != kEmpty; slot = (slot + 1) & (kSlots - 1)) {
      if (nodes_[index_[slot]] == node) {
        *found = true;
        return index_[slot];
      }
    }
    index_[slot] = static_cast<uint8_t>(size_);
    return Append(node, depth, found);
  }
  uint8_t& depth(size_t entry) { return depths_[entry]; }

 private:
  static constexpr uint8_t kEmpty = 0xff;
  static size_t Home(uint32_t node) { return (node * 0x9E3779B1u) >> (32 - 8); }
  size_t Append(uint32_t node, uint32_t depth, bool* found) {
    nodes_[size_] = node;
    depths_[size_] = static_cast<uint8_t>(depth);
    *found = false;
    return size_++;
  }
  void BuildIndex() {
    std::fill(std::begin(index_), std::end(index_), kEmpty);
    for (size_t i = 0; i < size_; ++i) {
      size_t slot = Home(nodes_[i]);
      while (index_[slot] != kEmpty) slot = (slot + 1) & (kSlots - 1);
      index_[slot] = static_cast<uint8_t>(i);
    }
    indexed_ = true;
  }

  uint32_t nodes_[kMaxEntries + 1];
  uint8_t depths_[kMaxEntries + 1];
  uint8_t index_[kSlots];
  size_t size_ = 0;
  bool indexed_ = false;
};
static_assert(VisitedSet::kMaxEntries < 0xff);
static_assert(kMaxWalkDepth < 256);
static_assert(kMaxWalkResults < VisitedSet::kMaxEntries);

}  // namespace

size_t PrefetchWalk(const HotSubgraph& graph, uint32_t start, const PrefetchOptions& options,
                    const WalkHooks& hooks, Prediction* out, size_t capacity) noexcept {
  size_t max_results = std::min<size_t>({capacity, options.max_results, kMaxWalkResults});
  uint32_t depth_limit = std::min(options.max_depth, kMaxWalkDepth);
  if (max_results == 0 || depth_limit == 0 || options.top_n == 0) return 0;
  // A result needs path probability >= min_probability; NaN or negative
  // thresholds accept everything with a positive probability.
  float min_probability =
      options.min_probability > 0 ? static_cast<float>(options.min_probability) : 0.0f;

  Frontier frontier;
  VisitedSet visited;
  bool found;
  visited.FindOrInsert(start, 0, &found);

  auto expand = [&](uint32_t node, float probability, uint32_t depth) {
    if (!graph.complete(node)) {
      if (hooks.incomplete) hooks.incomplete(hooks.context, graph.hash(node));
      return;
    }
    std::span<const HotEdge> edges = graph.edges(node);
    size_t n = std::min<size_t>(edges.size(), options.top_n);
    bool expandable = depth + 1 < depth_limit;
    size_t pushed = 0;
    for (size_t i = 0; i < n; ++i) {
      float p = probability * edges[i].probability;
      if (p < min_probability) break;  // edges are sorted: the rest are smaller
      uint32_t target = edges[i].target;
      if (target == start) continue;
      // The hash (and, if it will be expanded, the node) is read when the
      // entry is taken; start the cache misses now so siblings overlap.
      __builtin_prefetch(&graph.hash(target));
      if (expandable) __builtin_prefetch(&graph.node(target));
      frontier.Push(FrontierEntry{p, target, depth + 1, node});
      ++pushed;
    }
    // The children's edge rows: their node loads run in parallel here, so
    // the expansions below do not each wait for a node and then a row.
    if (expandable) {
      for (size_t i = 0; i < n && pushed > 0; ++i) {
        uint32_t target = edges[i].target;
        if (target == start) continue;
        --pushed;
        __builtin_prefetch(graph.edges(target).data());
      }
    }
  };

  expand(start, 1.0f, 0);
  uint32_t nodes[kMaxWalkResults];    // nodes[i]: out[i]'s node, for the filter
  uint32_t parents[kMaxWalkResults];  // parents[i]: the caller of out[i]'s best path
  size_t count = 0;
  // Each round takes up to the number of results still wanted into
  // out[count, taken), then filters them in place (see the header).
  while (count < max_results) {
    size_t taken = count;
    while (taken < max_results && !frontier.empty() && !visited.full()) {
      FrontierEntry entry = frontier.Pop();
      size_t seen = visited.FindOrInsert(entry.node, entry.depth, &found);
      if (found) {
        // Taken before along a more probable path; worth expanding again only
        // if this path is shorter, since the depth limit may have cut it.
        if (visited.depth(seen) <= entry.depth) continue;
        visited.depth(seen) = static_cast<uint8_t>(entry.depth);
      } else {
        const BlobHash& hash = graph.hash(entry.node);
        nodes[taken] = entry.node;
        parents[taken] = entry.parent;
        out[taken++] = Prediction{hash, entry.probability, entry.depth};
      }
      if (entry.depth < depth_limit) expand(entry.node, entry.probability, entry.depth);
    }
    if (taken == count) break;
    if (hooks.filter) {
      count += hooks.filter(hooks.context, graph, nodes + count, parents + count, out + count,
                            taken - count);
      continue;
    }
    if (!hooks.accept) {
      count = taken;
      continue;
    }
    for (size_t i = count; i < taken; ++i) {
      if (hooks.accept(hooks.context, out[i].hash)) {
        if (i != count) out[count] = out[i];
        ++count;
      }
    }
  }
  return count;
}

}  // namespace blobgraph::engine
