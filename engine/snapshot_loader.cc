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
  return status.code() == Status::Code::kNotFound && status.message() == "engine: snapshot budget full";
}

void AddPinned(HotSubgraphBuilder* builder, const PinnedRows& pinned) {
  for (const auto& [hash, row] : pinned) {
    if (row.empty()) {
      builder->AddFunction(hash);
    } else {
      builder->AddCaller(hash, row);
    }
  }
}

Result<std::vector<BlobHash>> RankStartSet(const GraphStore& store, size_t max) {
  std::vector<LoadRecord> records;
  Status status = store.ForEachLoadRecord([&](const LoadRecord& record) {
    if (record.runs > 0) records.push_back(record);
    return Status::Ok();
  });
  if (!status.ok()) return status.WithContext("engine: reading load records");
  auto better = [](const LoadRecord& a, const LoadRecord& b) {
    if (a.runs != b.runs) return a.runs > b.runs;
    // Compare mean positions without division: a.sum / a.runs < b.sum / b.runs.
    unsigned __int128 left = static_cast<unsigned __int128>(a.position_sum) * b.runs;
    unsigned __int128 right = static_cast<unsigned __int128>(b.position_sum) * a.runs;
    if (left != right) return left < right;
    return a.hash < b.hash;
  };
  size_t keep = std::min(max, records.size());
  std::partial_sort(records.begin(), records.begin() + keep, records.end(), better);
  std::vector<BlobHash> ranked;
  ranked.reserve(keep);
  for (size_t i = 0; i < keep; ++i) ranked.push_back(records[i].hash);
  return ranked;
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
    double score = static_cast<double>(node.in_dynamic + node.out_dynamic) +
                   model.prior_weight * static_cast<double>(node.in_static + node.out_static);
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

}  // namespace

void ToCallees(std::span<const CalleeInfo> row, const ProbabilityModel& model,
               std::vector<HotSubgraphBuilder::Callee>* out) {
  out->clear();
  RowTotals totals;
  for (const CalleeInfo& c : row) totals.Add(c.static_count, c.dynamic_count);
  for (const CalleeInfo& c : row) {
    double p = model.Probability(c.static_count, c.dynamic_count, totals);
    out->push_back(HotSubgraphBuilder::Callee{c.callee, static_cast<float>(p)});
  }
  auto order = [](const HotSubgraphBuilder::Callee& a, const HotSubgraphBuilder::Callee& b) {
    return a.probability != b.probability ? a.probability > b.probability : a.hash < b.hash;
  };
  if (!std::is_sorted(out->begin(), out->end(), order)) std::sort(out->begin(), out->end(), order);
}

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
  bool budget_hit = false;

  HotSubgraphBuilder builder;
  std::vector<HotSubgraphBuilder::Callee> callees;
  size_t wanted = chosen.size();
  Status status = store.ForEachCaller([&](const BlobHash& caller, std::span<const CalleeInfo> row) {
    if (filtered) {
      if (!chosen.count(caller)) return Status::Ok();
      --wanted;
    }
    // Rows come in hash order, not hotness order: the budget is a hard cap.
    // Exact (counting the nodes the row would add) only near the budget,
    // since it costs a lookup per edge.
    size_t worst_case = builder.EstimatedBytes(row.size() + 1, row.size()) +
                        (builder.node_count() + row.size() + 1) * 2 * sizeof(uint64_t);
    if (worst_case > options.budget_bytes) {
      size_t new_nodes = builder.HasNode(caller) ? 0 : 1;
      for (const CalleeInfo& c : row) new_nodes += builder.HasNode(c.callee) ? 0 : 1;
      if (builder.EstimatedBytes(new_nodes, row.size()) > options.budget_bytes) {
        budget_hit = true;
        return options.mode == LoadMode::kQuick ? StopScan() : Status::Ok();
      }
    }
    ToCallees(row, options.model, &callees);
    builder.AddCaller(caller, callees);
    if (filtered && wanted == 0) return StopScan();
    return Status::Ok();
  });
  if (!status.ok() && !IsStopScan(status)) return status.WithContext("engine: reading callers");
  // A quick scan that never hit the budget read the whole store.
  if (options.mode == LoadMode::kQuick) whole = !budget_hit;
  // After the scan, so a fresher stored row wins over one pinned earlier.
  AddPinned(&builder, pinned);
  // The whole store was read: a function without a row has no callees.
  if (whole && !budget_hit) builder.MarkAllComplete();

  auto start_set = RankStartSet(store, options.start_set_max);
  if (!start_set.ok()) return start_set.status();
  builder.SetStartSet(std::move(*start_set));
  LoadedSnapshot loaded;
  loaded.graph = builder.Build();
  loaded.whole = whole && !budget_hit;
  loaded.graph->build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return loaded;
}

std::unique_ptr<HotSubgraph> ExtendSnapshot(const HotSubgraph& current, const PinnedRows& pinned) {
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
  AddPinned(&builder, pinned);
  builder.SetStartSet({current.start_set().begin(), current.start_set().end()});
  std::unique_ptr<HotSubgraph> graph = builder.Build();
  graph->build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return graph;
}

}  // namespace blobgraph::engine
