#include "engine/hot_subgraph.h"

#include <algorithm>
#include <bit>
#include <cassert>

namespace blobgraph::engine {
namespace {

constexpr size_t kInitialIndexSlots = 1024;
// A start-set entry: its hash, share, node and (node, rank) pair.
constexpr size_t kBytesPerStartEntry = sizeof(BlobHash) + sizeof(float) + 3 * sizeof(uint32_t);

// Slots for `nodes` entries at a load factor of at most 0.7: keeps the index
// at <= 23 bytes per function, which with the 40 bytes of hash and node stays under the
// 64 bytes per function the budget allows.
size_t FinalIndexSlots(size_t nodes) {
  size_t needed = nodes + nodes * 3 / 7 + 2;
  return std::bit_ceil(needed < 2 ? size_t{2} : needed);
}

void Insert(std::vector<uint64_t>& index, size_t mask, uint64_t fingerprint, uint32_t node,
            uint64_t (*mix)(uint64_t)) {
  uint64_t entry = (fingerprint & 0xffffffff00000000ull) | (uint64_t{node} + 1);
  for (size_t slot = mix(fingerprint) & mask;; slot = (slot + 1) & mask) {
    if (index[slot] == 0) {
      index[slot] = entry;
      return;
    }
  }
}

}  // namespace

size_t HotSubgraph::bytes() const {
  return hashes_.size() * sizeof(BlobHash) + nodes_.size() * sizeof(Node) +
         edges_.size() * sizeof(HotEdge) + index_.size() * sizeof(uint64_t) +
         start_set_.size() * kBytesPerStartEntry + sizeof(HotSubgraph);
}

HotSubgraphBuilder::HotSubgraphBuilder()
    : index_(kInitialIndexSlots, 0), index_mask_(kInitialIndexSlots - 1) {}

uint32_t HotSubgraphBuilder::Intern(const BlobHash& hash) {
  uint64_t fingerprint = hash.Fingerprint();
  uint32_t tag = static_cast<uint32_t>(fingerprint >> 32);
  size_t slot = HotSubgraph::Mix(fingerprint) & index_mask_;
  for (;; slot = (slot + 1) & index_mask_) {
    uint64_t entry = index_[slot];
    if (entry == 0) break;
    if (static_cast<uint32_t>(entry >> 32) == tag) {
      uint32_t node = static_cast<uint32_t>(entry) - 1;
      if (hashes_[node] == hash) return node;
    }
  }
  uint32_t node = static_cast<uint32_t>(nodes_.size());
  hashes_.push_back(hash);
  nodes_.push_back(HotSubgraph::Node{0, 0});
  index_[slot] = (fingerprint & 0xffffffff00000000ull) | (uint64_t{node} + 1);
  if (nodes_.size() * 2 > index_.size()) GrowIndex();
  return node;
}

void HotSubgraphBuilder::GrowIndex() {
  std::vector<uint64_t> grown(index_.size() * 2, 0);
  size_t mask = grown.size() - 1;
  for (uint32_t node = 0; node < nodes_.size(); ++node) {
    Insert(grown, mask, hashes_[node].Fingerprint(), node, &HotSubgraph::Mix);
  }
  index_ = std::move(grown);
  index_mask_ = mask;
}

bool HotSubgraphBuilder::HasNode(const BlobHash& hash) const {
  uint64_t fingerprint = hash.Fingerprint();
  uint32_t tag = static_cast<uint32_t>(fingerprint >> 32);
  for (size_t slot = HotSubgraph::Mix(fingerprint) & index_mask_;;
       slot = (slot + 1) & index_mask_) {
    uint64_t entry = index_[slot];
    if (entry == 0) return false;
    if (static_cast<uint32_t>(entry >> 32) == tag &&
        hashes_[static_cast<uint32_t>(entry) - 1] == hash) {
      return true;
    }
  }
}

bool HotSubgraphBuilder::HasCaller(const BlobHash& hash) const {
  uint64_t fingerprint = hash.Fingerprint();
  uint32_t tag = static_cast<uint32_t>(fingerprint >> 32);
  for (size_t slot = HotSubgraph::Mix(fingerprint) & index_mask_;;
       slot = (slot + 1) & index_mask_) {
    uint64_t entry = index_[slot];
    if (entry == 0) return false;
    if (static_cast<uint32_t>(entry >> 32) == tag) {
      uint32_t node = static_cast<uint32_t>(entry) - 1;
      if (hashes_[node] == hash)
        return nodes_[node].edge_count_and_flag & HotSubgraph::kCompleteBit;
    }
  }
}

bool HotSubgraphBuilder::AddCaller(const BlobHash& caller, std::span<const Callee> callees) {
  uint32_t node = Intern(caller);
  if (nodes_[node].edge_count_and_flag & HotSubgraph::kCompleteBit) return false;
  uint32_t begin = static_cast<uint32_t>(edges_.size());
  for (const Callee& callee : callees) {
    if (!(callee.probability > 0.0f)) continue;
    // Intern may grow nodes_, so look the caller up by index afterwards.
    edges_.push_back(HotEdge{Intern(callee.hash), callee.probability});
  }
  assert(edges_.size() - begin < HotSubgraph::kCompleteBit);
  nodes_[node].edge_begin = begin;
  nodes_[node].edge_count_and_flag =
      static_cast<uint32_t>(edges_.size() - begin) | HotSubgraph::kCompleteBit;
  ++complete_count_;
  return true;
}

void HotSubgraphBuilder::AddFunction(const BlobHash& hash) {
  uint32_t node = Intern(hash);
  if (nodes_[node].edge_count_and_flag & HotSubgraph::kCompleteBit) return;
  nodes_[node].edge_begin = static_cast<uint32_t>(edges_.size());
  nodes_[node].edge_count_and_flag = HotSubgraph::kCompleteBit;
  ++complete_count_;
}

void HotSubgraphBuilder::MarkAllComplete() {
  for (HotSubgraph::Node& node : nodes_) node.edge_count_and_flag |= HotSubgraph::kCompleteBit;
  complete_count_ = nodes_.size();
}

size_t HotSubgraphBuilder::EstimatedBytes(size_t more_nodes, size_t more_edges) const {
  size_t nodes = nodes_.size() + more_nodes;
  return nodes * (sizeof(BlobHash) + sizeof(HotSubgraph::Node)) +
         (edges_.size() + more_edges) * sizeof(HotEdge) +
         FinalIndexSlots(nodes) * sizeof(uint64_t) + start_set_.size() * kBytesPerStartEntry +
         sizeof(HotSubgraph);
}

std::unique_ptr<HotSubgraph> HotSubgraphBuilder::Build() {
  std::unique_ptr<HotSubgraph> graph(new HotSubgraph());
  size_t slots = FinalIndexSlots(nodes_.size());
  if (slots != index_.size()) {
    std::vector<uint64_t> index(slots, 0);
    for (uint32_t node = 0; node < nodes_.size(); ++node) {
      Insert(index, slots - 1, hashes_[node].Fingerprint(), node, &HotSubgraph::Mix);
    }
    index_ = std::move(index);
    index_mask_ = slots - 1;
  }
  hashes_.shrink_to_fit();
  nodes_.shrink_to_fit();
  edges_.shrink_to_fit();
  graph->hashes_ = std::move(hashes_);
  graph->nodes_ = std::move(nodes_);
  graph->edges_ = std::move(edges_);
  graph->index_ = std::move(index_);
  graph->index_mask_ = index_mask_;
  graph->complete_count_ = complete_count_;
  graph->start_set_ = std::move(start_set_);
  graph->start_share_ = std::move(start_share_);
  graph->start_share_.resize(graph->start_set_.size(), 0.0f);
  graph->start_nodes_.reserve(graph->start_set_.size());
  for (size_t rank = 0; rank < graph->start_set_.size(); ++rank) {
    uint32_t node = graph->Find(graph->start_set_[rank]);
    graph->start_nodes_.push_back(node);
    if (node != kNoNode) graph->start_ranks_.emplace_back(node, static_cast<uint32_t>(rank));
  }
  std::sort(graph->start_ranks_.begin(), graph->start_ranks_.end());
  graph->node_state_.reset(new std::atomic<uint8_t>[graph->nodes_.size()]);
  for (size_t i = 0; i < graph->nodes_.size(); ++i) {
    graph->node_state_[i].store(0, std::memory_order_relaxed);
  }
  hashes_.clear();
  nodes_.clear();
  edges_.clear();
  complete_count_ = 0;
  index_.assign(kInitialIndexSlots, 0);
  index_mask_ = kInitialIndexSlots - 1;
  return graph;
}

}  // namespace blobgraph::engine
