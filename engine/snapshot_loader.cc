#include "engine/snapshot_loader.h"

#include <algorithm>
#include <chrono>
#include <unordered_set>

namespace blobgraph::engine {
namespace {

// Per-function and per-edge costs as laid out by HotSubgraph: a 40-byte node
// plus up to 23 bytes of index, and an 8-byte edge.
constexpr size_t kBytesPerFunction = 63;
constexpr size_t kBytesPerEdge = 8;
// In a hot set some callees fall outside and become leaf nodes; plan for
// half of the chosen edges adding one.
constexpr size_t kPlannedBytesPerEdge = kBytesPerEdge + kBytesPerFunction / 2;

Status StopScan() { return Status::NotFound("engine: snapshot budget full"); }
bool IsStopScan(const Status& status) {
  return status.code() == Status::Code::kNotFound &&
         status.message() == "engine: snapshot budget full";
}

void AddPinned(HotSubgraphBuilder* builder, const PinnedRows& pinned,
               const ModelEvidence& evidence) {
  std::vector<HotSubgraphBuilder::Callee> converted;
  for (const auto& [hash, row] : pinned) {
    evidence.ToCallees(hash, row, &converted);
    if (converted.empty()) {
      builder->AddFunction(hash);
    } else {
      builder->AddCaller(hash, converted);
    }
  }
}

struct StartSet {
  std::vector<BlobHash> hashes;
  std::vector<float> shares;
};

// The functions loaded by at least half of the recorded runs (by run
// weight, so after ageing recent runs count more), earliest mean first-load
// position first: the order a run that goes as the recorded ones did loads
// them in, so the engine can release them as the run reaches each one.
StartSet RankStartSet(std::vector<LoadRecord> records, size_t max) {
  uint64_t most = 0;
  for (const LoadRecord& record : records) most = std::max(most, record.run_weight);
  std::erase_if(records, [&](const LoadRecord& r) {
    return r.run_weight == 0 || r.run_weight < most - most / 2;
  });
  auto earlier = [](const LoadRecord& a, const LoadRecord& b) {
    // Compare mean positions without division: a.sum / a.runs < b.sum / b.runs.
    unsigned __int128 left = static_cast<unsigned __int128>(a.position_weight) * b.run_weight;
    unsigned __int128 right = static_cast<unsigned __int128>(b.position_weight) * a.run_weight;
    if (left != right) return left < right;
    return a.hash < b.hash;
  };
  size_t keep = std::min(max, records.size());
  std::partial_sort(records.begin(), records.begin() + keep, records.end(), earlier);
  StartSet start;
  start.hashes.reserve(keep);
  start.shares.reserve(keep);
  for (size_t i = 0; i < keep; ++i) {
    start.hashes.push_back(records[i].hash);
    start.shares.push_back(
        static_cast<float>(static_cast<double>(records[i].run_weight) / static_cast<double>(most)));
  }
  return start;
}

Result<std::vector<LoadRecord>> ReadLoadRecords(const GraphStore& store) {
  std::vector<LoadRecord> records;
  Status status = store.ForEachLoadRecord([&](const LoadRecord& record) {
    if (record.run_weight > 0) records.push_back(record);
    return Status::Ok();
  });
  if (!status.ok()) return status.WithContext("engine: reading load records");
  return records;
}

// The hot set's callers, highest call totals first, under budget; `*whole`
// is set when every function fits (then `chosen` is left empty).
Status ChooseHotCallers(const GraphStore& store, size_t budget_bytes, const ProbabilityModel& model,
                        std::unordered_set<BlobHash>* chosen, bool* whole) {
  struct Candidate {
    double score;
    uint64_t callees;
    BlobHash hash;
  };
  std::vector<Candidate> candidates;
  uint64_t functions = 0, edges = 0;
  Status status = store.ForEachNode([&](const NodeRecord& node) {
    ++functions;
    edges += node.callees;
    if (node.callees == 0) return Status::Ok();
    // Summed in double: in + out may pass 2^64 (each alone fits).
    double score = static_cast<double>(node.in_dynamic) + static_cast<double>(node.out_dynamic) +
                   model.prior_weight *
                       (static_cast<double>(node.in_static) + static_cast<double>(node.out_static));
    candidates.push_back(Candidate{score, node.callees, node.hash});
    return Status::Ok();
  });
  if (!status.ok()) return status.WithContext("engine: reading function totals");
  *whole = functions * kBytesPerFunction + edges * kBytesPerEdge <= budget_bytes;
  if (*whole) return Status::Ok();
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.score != b.score ? a.score > b.score : a.hash < b.hash;
  });
  size_t planned = 0;
  for (const Candidate& c : candidates) {
    size_t cost = kBytesPerFunction + c.callees * kPlannedBytesPerEdge;
    if (planned + cost > budget_bytes) break;
    planned += cost;
    chosen->insert(c.hash);
  }
  return Status::Ok();
}

// Rows read from the store and converted, waiting to be interned. Interning
// is a chain of cache misses (home index slot, then the hash it names) per
// callee; rows are interned a batch at a time so those misses can be
// started a few hashes ahead and overlap. The vectors are reused.
class RowBatch {
 public:
  static constexpr size_t kRows = 512;
  // Hashes ahead of the one being interned whose node (then slot) is warmed.
  static constexpr size_t kNodeDistance = 8;
  static constexpr size_t kSlotDistance = 16;

  bool full() const { return callers_.size() >= kRows; }
  bool empty() const { return callers_.empty(); }

  // Appends `row` converted under `evidence`.
  void Add(const BlobHash& caller, std::span<const CalleeInfo> row, const ModelEvidence& evidence) {
    evidence.ToCallees(caller, row, &converted_);
    callers_.push_back(caller);
    callees_.insert(callees_.end(), converted_.begin(), converted_.end());
    ends_.push_back(static_cast<uint32_t>(callees_.size()));
  }

  // Adds the rows to `builder` in order; each row is first offered to
  // `admit(caller, callees)`, which returns +1 (add it), 0 (skip it) or -1
  // (skip it and every later row: returns false then). Clears the batch.
  template <typename Admit>
  bool InternInto(HotSubgraphBuilder* builder, Admit admit) {
    // Hash k of the batch in interning order: row r's caller, then its callees.
    keys_.clear();
    for (size_t r = 0, begin = 0; r < callers_.size(); begin = ends_[r++]) {
      keys_.push_back(&callers_[r]);
      for (size_t i = begin; i < ends_[r]; ++i) keys_.push_back(&callees_[i].hash);
    }
    size_t slot_cursor = 0, node_cursor = 0, key = 0;
    bool go_on = true;
    for (size_t r = 0, begin = 0; r < callers_.size(); begin = ends_[r++]) {
      size_t row_keys = 1 + ends_[r] - begin;
      for (; slot_cursor < std::min(keys_.size(), key + row_keys + kSlotDistance); ++slot_cursor) {
        builder->WarmSlot(*keys_[slot_cursor]);
      }
      for (; node_cursor < std::min(keys_.size(), key + row_keys + kNodeDistance); ++node_cursor) {
        builder->WarmNode(*keys_[node_cursor]);
      }
      key += row_keys;
      std::span<const HotSubgraphBuilder::Callee> row(callees_.data() + begin, ends_[r] - begin);
      int verdict = admit(callers_[r], row);
      if (verdict < 0) {
        go_on = false;
        break;
      }
      if (verdict > 0) builder->AddCaller(callers_[r], row);
    }
    callers_.clear();
    ends_.clear();
    callees_.clear();
    return go_on;
  }

 private:
  std::vector<BlobHash> callers_;
  std::vector<uint32_t> ends_;  // end of each row in callees_
  std::vector<HotSubgraphBuilder::Callee> callees_;
  std::vector<HotSubgraphBuilder::Callee> converted_;
  std::vector<const BlobHash*> keys_;
};

}  // namespace

Result<LoadedSnapshot> LoadSnapshot(const GraphStore& store, const LoadOptions& options,
                                    const PinnedRows& pinned) {
  auto started = std::chrono::steady_clock::now();
  bool whole = false;
  std::unordered_set<BlobHash> chosen;
  if (options.mode == LoadMode::kBest) {
    BLOBGRAPH_RETURN_IF_ERROR(
        ChooseHotCallers(store, options.budget_bytes, options.model, &chosen, &whole));
  }
  bool filtered = options.mode == LoadMode::kBest && !whole;
  auto records = ReadLoadRecords(store);
  if (!records.ok()) return records.status();
  size_t evidence_edges =
      options.mode == LoadMode::kQuick ? options.budget_bytes / kBytesPerEdge + 1 : 0;
  auto evidence = ModelEvidence::Gather(store, options.prefetch_model, *records, evidence_edges);
  if (!evidence.ok()) return evidence.status();
  bool budget_hit = false;

  HotSubgraphBuilder builder;
  RowBatch batch;
  size_t wanted = chosen.size();
  // Rows come in hash order, not hotness order: the budget is a hard cap.
  // Exact (counting the nodes the row would add) only near the budget,
  // since it costs a lookup per edge.
  auto admit = [&](const BlobHash& caller, std::span<const HotSubgraphBuilder::Callee> row) {
    size_t worst_case = builder.EstimatedBytes(row.size() + 1, row.size()) +
                        (builder.node_count() + row.size() + 1) * 2 * sizeof(uint64_t);
    if (worst_case > options.budget_bytes) {
      size_t new_nodes = builder.HasNode(caller) ? 0 : 1;
      for (const auto& c : row) new_nodes += builder.HasNode(c.hash) ? 0 : 1;
      if (builder.EstimatedBytes(new_nodes, row.size()) > options.budget_bytes) {
        budget_hit = true;
        return options.mode == LoadMode::kQuick ? -1 : 0;
      }
    }
    return 1;
  };
  Status status = store.ForEachCaller([&](const BlobHash& caller, std::span<const CalleeInfo> row) {
    if (filtered) {
      if (!chosen.count(caller)) return Status::Ok();
      --wanted;
    }
    batch.Add(caller, row, **evidence);
    if (batch.full() || (filtered && wanted == 0)) {
      if (!batch.InternInto(&builder, admit)) return StopScan();
    }
    if (filtered && wanted == 0) return StopScan();
    return Status::Ok();
  });
  // Rows still batched when the scan ended (not after an error).
  if ((status.ok() || IsStopScan(status)) && !batch.empty())
    (void)batch.InternInto(&builder, admit);
  if (!status.ok() && !IsStopScan(status)) return status.WithContext("engine: reading callers");
  // A quick scan that never hit the budget read the whole store.
  if (options.mode == LoadMode::kQuick) whole = !budget_hit;
  // After the scan, so a fresher stored row wins over one pinned earlier.
  AddPinned(&builder, pinned, **evidence);
  StartSet start = RankStartSet(std::move(*records), options.start_set_max);
  for (const BlobHash& hash : start.hashes) builder.AddLeaf(hash);
  // The whole store was read: a function without a row has no callees.
  if (whole && !budget_hit) builder.MarkAllComplete();

  builder.SetStartSet(std::move(start.hashes), std::move(start.shares));
  LoadedSnapshot loaded;
  loaded.evidence = std::move(*evidence);
  loaded.graph = builder.Build();
  loaded.whole = whole && !budget_hit;
  loaded.graph->build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return loaded;
}

std::unique_ptr<HotSubgraph> ExtendSnapshot(const HotSubgraph& current, const PinnedRows& pinned,
                                            const ModelEvidence& evidence) {
  auto started = std::chrono::steady_clock::now();
  HotSubgraphBuilder builder;
  std::vector<HotSubgraphBuilder::Callee> row;
  for (uint32_t node = 0; node < current.node_count(); ++node) {
    if (!current.complete(node)) continue;
    row.clear();
    for (const HotEdge& edge : current.edges(node)) {
      row.push_back(HotSubgraphBuilder::Callee{current.hash(edge.target), edge.probability});
    }
    if (row.empty()) {
      builder.AddFunction(current.hash(node));
    } else {
      builder.AddCaller(current.hash(node), row);
    }
  }
  AddPinned(&builder, pinned, evidence);
  builder.SetStartSet({current.start_set().begin(), current.start_set().end()},
                      {current.start_share().begin(), current.start_share().end()});
  std::unique_ptr<HotSubgraph> graph = builder.Build();
  graph->build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return graph;
}

}  // namespace blobgraph::engine
