// EmitUpdate: one update as merge operands and puts, column family by column
// family in key order; the edge rows and the load records are written by
// the steps in apply_steps.h.
#include "storage/apply_writer.h"

#include <algorithm>

#include "storage/apply_steps.h"
#include "storage/edge_waste.h"
#include "storage/key_layout.h"
#include "storage/profile_records.h"

namespace blobgraph::storage {
namespace {

// `totals_fit`: the store-wide totals stay within 2^64 - 1 after the update,
// so no node total can overflow and the stored records need no read.
Status EmitNodes(const DbHandles& handles, const NodeDeltas& nodes, bool totals_fit,
                 WriteSink* sink) {
  std::vector<std::pair<BlobHash, NodeDelta>> sorted = nodes.Sorted();
  if (!totals_fit) BLOBGRAPH_RETURN_IF_ERROR(CheckNodeTotals(handles, sorted));
  std::string value;
  for (const auto& [hash, delta] : sorted) {
    // Every function in `nodes` is one this update mentions (mentions += 1).
    uint64_t values[kNodeFields] = {delta.in_static, delta.in_dynamic, delta.callers,
                                    delta.static_refs, 1};
    EncodeVarints(values, kNodeFields, &value);
    BLOBGRAPH_RETURN_IF_ERROR(sink->Merge(Cf::kNodes, HashKey(hash), value));
  }
  return Status::Ok();
}

Status EmitNames(const std::vector<std::pair<BlobHash, std::string>>& names, WriteSink* sink) {
  std::vector<uint32_t> order(names.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&names](uint32_t a, uint32_t b) { return names[a].first < names[b].first; });
  for (size_t i = 0; i < order.size(); ++i) {
    // Of several names for one hash the last one given wins.
    if (i + 1 < order.size() && names[order[i + 1]].first == names[order[i]].first) continue;
    const auto& [hash, name] = names[order[i]];
    BLOBGRAPH_RETURN_IF_ERROR(sink->Put(Cf::kNames, HashKey(hash), name));
  }
  return Status::Ok();
}

// The unsent layer keeps the declared functions (sorted, once each: the
// key order an ingested SST needs). A pull's are not kept: a declared
// function is never taken out of the graph.
Status EmitDeclaredFunctions(const std::vector<BlobHash>& functions, const LayerTarget& layer,
                             WriteSink* sink) {
  if (layer.layer != Layer::kUnsent || functions.empty()) return Status::Ok();
  std::vector<BlobHash> sorted = functions;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (const BlobHash& function : sorted) {
    BLOBGRAPH_RETURN_IF_ERROR(
        sink->Put(Cf::kLayers, LayerKey(Layer::kUnsent, LayerKind::kFunction, &function), ""));
  }
  return Status::Ok();
}

Status EmitStoreTotals(const StoreTotals& added, WriteSink* sink) {
  if ((added.static_total | added.dynamic_total) == 0) return Status::Ok();
  uint64_t values[2] = {added.static_total, added.dynamic_total};
  std::string value;
  EncodeVarints(values, 2, &value);
  return sink->Merge(Cf::kMeta, kTotalsKey, value);
}

// Meta keys are written in key order ("feedback" < "runs" < "totals"): an ingested
// SST file takes each column family's keys ascending.
Status EmitFeedback(const DbHandles& handles, const FeedbackStats& feedback, WriteSink* sink) {
  if (feedback.empty()) return Status::Ok();
  BLOBGRAPH_RETURN_IF_ERROR(CheckFeedbackTotals(handles, feedback));
  uint64_t values[kFeedbackFields] = {feedback.requests, feedback.issued, feedback.hits,
                                      feedback.wasted, feedback.stalls};
  std::string value;
  EncodeVarints(values, kFeedbackFields, &value);
  return sink->Merge(Cf::kMeta, kFeedbackKey, value);
}

}  // namespace

Status EmitUpdate(const DbHandles& handles, const GraphUpdate& update, WriteSink* sink,
                  const LayerTarget& layer) {
  StoreTotals added;
  {
    NodeDeltas nodes;  // freed before the smaller column families are built
    BLOBGRAPH_RETURN_IF_ERROR(EmitEdges(handles, update.edges, sink, &nodes, &added, layer));
    // Layer keys ascend: edges ('e') were written, declared functions ('f') next.
    BLOBGRAPH_RETURN_IF_ERROR(EmitDeclaredFunctions(update.functions, layer, sink));
    for (const BlobHash& function : update.functions) nodes[function];
    bool totals_fit = false;
    BLOBGRAPH_RETURN_IF_ERROR(StoreTotalsFit(handles, added, &totals_fit));
    BLOBGRAPH_RETURN_IF_ERROR(EmitNodes(handles, nodes, totals_fit, sink));
  }
  BLOBGRAPH_RETURN_IF_ERROR(EmitNames(update.names, sink));
  BLOBGRAPH_RETURN_IF_ERROR(EmitFeedback(handles, update.feedback, sink));
  BLOBGRAPH_RETURN_IF_ERROR(EmitRuns(handles, update, layer, sink));
  BLOBGRAPH_RETURN_IF_ERROR(EmitStoreTotals(added, sink));  // "totals": the last meta key
  if (update.profile) BLOBGRAPH_RETURN_IF_ERROR(EmitProfileRecord(handles, update, sink));
  // Feedback of this store's engines, in the same write as their calls;
  // never in a layer (graph_store.h, GraphUpdate::wasted).
  return EmitEdgeWaste(update.wasted, sink);
}

}  // namespace blobgraph::storage
