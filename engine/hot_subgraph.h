// HotSubgraph is an immutable, flat copy of the most-called part of the graph.
//
// Layout (CSR):
//   hashes_  one BlobHash per function, by value, indexed by node.
//   nodes_   one 8-byte Node per function: where its edges start in edges_,
//            how many there are, and whether they are all here ("complete")
//            or the node is a *leaf*: a callee of a hot caller whose own
//            callees were left out of the snapshot (it is still a valid
//            prediction; walks just cannot expand it). Kept apart from the
//            hashes so a walk's expansions touch a dense 8-byte array and
//            only results touch the 32-byte hashes.
//   edges_   per node, its callees most probable first: target node index
//            and p(callee | caller) as a float. 8 bytes per edge.
//   index_   open addressing over BlobHash::Fingerprint(): slot = 32 bits of
//            the fingerprint (a tag) and node index + 1 (0 = empty); linear
//            probing, load factor <= 1/2. Lookup allocates nothing.
// Beside the graph it carries the warm-start list (StartSet) computed from
// the store's load records when the snapshot was built: hashes in release
// order, each one's share of the recorded runs, and for the entries that
// are nodes here their node index and a node -> rank lookup (sorted pairs,
// searched only when the list is not empty), so a walk from a start-set
// function can release the entries after it.
//
// The one mutable part is node_state: one relaxed atomic byte per node the
// engine uses as a cache of the feedback tracker's answer for that node
// (kNodeIssued, kNodeLoaded; see EngineImpl::FilterHook for the rules). It
// starts at zero in every snapshot and never affects the graph itself.
//
// The builder (HotSubgraphBuilder) runs off the hot path; the result is
// published by an atomic pointer swap (SnapshotCell) and then read by any
// number of threads without locks. Nothing in it changes after Build().
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "blobgraph/blob_hash.h"

namespace blobgraph::engine {

inline constexpr uint32_t kNoNode = 0xffffffffu;
// Bits of HotSubgraph::node_state().
inline constexpr uint8_t kNodeIssued = 1;
inline constexpr uint8_t kNodeLoaded = 2;

struct HotEdge {
  uint32_t target;    // node index in the same snapshot
  float probability;  // p(target | caller), in (0, 1]
};
static_assert(sizeof(HotEdge) == 8);

class HotSubgraph {
 public:
  struct Node {
    uint32_t edge_begin;
    uint32_t edge_count_and_flag;  // low 31 bits: edge count; top bit: complete
  };
  static_assert(sizeof(Node) == 8);
  static constexpr uint32_t kCompleteBit = 0x80000000u;

  HotSubgraph(const HotSubgraph&) = delete;
  HotSubgraph& operator=(const HotSubgraph&) = delete;

  // The node holding `hash`, or kNoNode. Any thread; no allocation.
  uint32_t Find(const BlobHash& hash) const noexcept {
    return Probe(hash.Fingerprint(), [&](uint32_t node) { return hashes_[node] == hash; });
  }

  // The node whose hash has `fingerprint` (BlobHash::Fingerprint), or
  // kNoNode; two hashes sharing a fingerprint (~2^-64) give either. For the
  // engine's flush, which knows predictions by fingerprint only. Any thread.
  uint32_t FindFingerprint(uint64_t fingerprint) const noexcept {
    return Probe(fingerprint,
                 [&](uint32_t node) { return hashes_[node].Fingerprint() == fingerprint; });
  }

  const Node& node(uint32_t index) const { return nodes_[index]; }
  const BlobHash& hash(uint32_t index) const { return hashes_[index]; }
  bool complete(uint32_t index) const { return nodes_[index].edge_count_and_flag & kCompleteBit; }
  std::span<const HotEdge> edges(uint32_t index) const {
    const Node& n = nodes_[index];
    return {edges_.data() + n.edge_begin, n.edge_count_and_flag & ~kCompleteBit};
  }

  // The node's engine state byte (kNodeIssued | kNodeLoaded). Any thread;
  // writers only ever set bits (fetch_or).
  std::atomic<uint8_t>& node_state(uint32_t index) const { return node_state_[index]; }

  size_t node_count() const { return nodes_.size(); }
  size_t edge_count() const { return edges_.size(); }
  size_t complete_count() const { return complete_count_; }
  // Bytes this snapshot holds in its arrays (node table, edges, index, start
  // set), by their sizes (capacity is trimmed at Build()). The node state
  // bytes (one per node) are left out so budgets and SnapshotInfo stay as
  // they were before it existed.
  size_t bytes() const;

  std::span<const BlobHash> start_set() const { return start_set_; }
  std::span<const float> start_share() const { return start_share_; }
  // The start-set entry at `rank` as a node of this snapshot, or kNoNode.
  uint32_t start_node(size_t rank) const { return start_nodes_[rank]; }
  // The rank of `node` in the start set, or kNoNode. No allocation.
  uint32_t StartRank(uint32_t node) const noexcept {
    if (start_ranks_.empty()) return kNoNode;
    auto it = std::lower_bound(start_ranks_.begin(), start_ranks_.end(),
                               std::pair<uint32_t, uint32_t>{node, 0});
    return it != start_ranks_.end() && it->first == node ? it->second : kNoNode;
  }

  uint64_t version = 0;      // set by the publisher
  double build_seconds = 0;  // set by the loader

 private:
  friend class HotSubgraphBuilder;
  HotSubgraph() = default;
  // The index's probe: the first node whose slot tag matches and for which
  // `matches(node)` holds, or kNoNode at the first empty slot.
  template <typename Matches>
  uint32_t Probe(uint64_t fingerprint, Matches matches) const noexcept {
    uint32_t tag = static_cast<uint32_t>(fingerprint >> 32);
    for (size_t slot = Mix(fingerprint) & index_mask_;; slot = (slot + 1) & index_mask_) {
      uint64_t entry = index_[slot];
      if (entry == 0) return kNoNode;
      if (static_cast<uint32_t>(entry >> 32) == tag) {
        uint32_t node = static_cast<uint32_t>(entry) - 1;
        if (matches(node)) return node;
      }
    }
  }
  static uint64_t Mix(uint64_t x) {
    // Fingerprints are uniform already, but the tag uses the high half;
    // fold it so slots and tags are independent bits.
    return x ^ (x >> 29);
  }

  std::vector<BlobHash> hashes_;
  std::vector<Node> nodes_;
  std::vector<HotEdge> edges_;
  std::vector<uint64_t> index_;
  size_t index_mask_ = 0;
  size_t complete_count_ = 0;
  std::vector<BlobHash> start_set_;
  std::vector<float> start_share_;
  std::vector<uint32_t> start_nodes_;
  std::vector<std::pair<uint32_t, uint32_t>> start_ranks_;  // (node, rank), by node
  std::unique_ptr<std::atomic<uint8_t>[]> node_state_;      // node_count() bytes, zeroed
};

// Builds a HotSubgraph row by row. One thread; not on the hot path.
class HotSubgraphBuilder {
 public:
  struct Callee {
    BlobHash hash;
    float probability;
  };

  HotSubgraphBuilder();

  // Adds `caller` with all of its callees, which must already be sorted by
  // probability, most probable first. A caller added twice keeps its first
  // row (the second call returns false). Callees with probability <= 0 are
  // skipped.
  bool AddCaller(const BlobHash& caller, std::span<const Callee> callees);
  // Adds `hash` as a complete node with no callees unless it is already
  // complete (a function the store knows has no callees).
  void AddFunction(const BlobHash& hash);
  bool HasCaller(const BlobHash& hash) const;
  // Adds `hash` as a leaf node unless it has a node already (a start-set
  // function the scan did not meet, so walks can start from it).
  void AddLeaf(const BlobHash& hash) { Intern(hash); }
  // Cache hints for a caller about to intern many hashes (no effect on the
  // result): WarmSlot starts loading `hash`'s home index slot; WarmNode,
  // some hashes later, reads that slot and starts loading the hash it
  // names, which Intern compares against.
  void WarmSlot(const BlobHash& hash) const {
    __builtin_prefetch(&index_[HotSubgraph::Mix(hash.Fingerprint()) & index_mask_]);
  }
  void WarmNode(const BlobHash& hash) const {
    uint64_t entry = index_[HotSubgraph::Mix(hash.Fingerprint()) & index_mask_];
    if (entry != 0) __builtin_prefetch(&hashes_[static_cast<uint32_t>(entry) - 1]);
  }
  // Whether `hash` has a node yet (complete or leaf).
  bool HasNode(const BlobHash& hash) const;
  // Marks every node complete: for a builder fed the whole store, where a
  // function without a row has no callees.
  void MarkAllComplete();

  // The start set in release order and each entry's share of the recorded
  // runs (same length).
  void SetStartSet(std::vector<BlobHash> start_set, std::vector<float> shares) {
    start_set_ = std::move(start_set);
    start_share_ = std::move(shares);
  }

  size_t node_count() const { return nodes_.size(); }
  size_t edge_count() const { return edges_.size(); }
  // Bytes the built snapshot will hold (index sized as Build() sizes it),
  // now or after adding `more_nodes` nodes and `more_edges` edges.
  size_t EstimatedBytes(size_t more_nodes = 0, size_t more_edges = 0) const;

  // Consumes the builder.
  std::unique_ptr<HotSubgraph> Build();

 private:
  uint32_t Intern(const BlobHash& hash);
  void GrowIndex();

  // Each caller's row is appended to edges_ whole, so rows are contiguous
  // already; a callee met before its own row gets a leaf node at once.
  std::vector<BlobHash> hashes_;
  std::vector<HotSubgraph::Node> nodes_;
  std::vector<HotEdge> edges_;
  size_t complete_count_ = 0;
  std::vector<uint64_t> index_;
  size_t index_mask_ = 0;
  std::vector<BlobHash> start_set_;
  std::vector<float> start_share_;
};

}  // namespace blobgraph::engine
