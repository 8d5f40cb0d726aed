// Writing a store's contents as a profile: its unsent observations or the
// whole graph (profile_export.h).
#include "blobgraph/profile_export.h"

#include <algorithm>
#include <span>

namespace blobgraph::formats {
namespace {

// static + dynamic < min_count, without the sum (it may pass 2^64).
bool Below(uint64_t min_count, uint64_t static_count, uint64_t dynamic_count) {
  return dynamic_count < min_count && static_count < min_count - dynamic_count;
}

// Adds one caller's edges to `writer` (and `written`), applying --min-count.
// A caller's static list is set once by whoever stores it first
// (GraphStore::Apply), so a file never carries part of one: when --min-count
// leaves out some of a caller's edges, the rest go without their static
// counts.
Status WriteCaller(const BlobHash& caller, std::span<const EdgeDelta> edges, uint64_t min_count,
                   ProfileWriter* writer, GraphUpdate* written) {
  bool whole_row = std::none_of(edges.begin(), edges.end(), [&](const EdgeDelta& e) {
    return Below(min_count, e.static_count, e.dynamic_count);
  });
  for (const EdgeDelta& edge : edges) {
    if (Below(min_count, edge.static_count, edge.dynamic_count)) continue;
    EdgeDelta kept{caller, edge.callee, whole_row ? edge.static_count : 0, edge.dynamic_count};
    if (kept.static_count == 0 && kept.dynamic_count == 0) continue;
    BLOBGRAPH_RETURN_IF_ERROR(writer->AddEdge(kept));
    written->edges.push_back(kept);
  }
  return Status::Ok();
}

// Load statistics go only where there are some.
Status WriteLoads(const std::vector<LoadWeights>& loads, uint64_t run_weight,
                  ProfileWriter* writer) {
  if (run_weight != 0) BLOBGRAPH_RETURN_IF_ERROR(writer->SetRunWeight(run_weight));
  for (const LoadWeights& load : loads) BLOBGRAPH_RETURN_IF_ERROR(writer->AddLoad(load));
  return Status::Ok();
}

}  // namespace

// The unsent layer: names, declared functions, edges, load statistics.
// `*written` gets exactly what the file holds, for MarkSent.
Status WriteUnsentProfile(const GraphUpdate& unsent, ProfileWriter* writer, uint64_t min_count,
                          GraphUpdate* written) {
  BLOBGRAPH_RETURN_IF_ERROR(writer->Begin(ProfileInfo::NewForThisHost()));
  std::vector<BlobHash> named;
  for (const auto& [hash, name] : unsent.names) {
    named.push_back(hash);
    BLOBGRAPH_RETURN_IF_ERROR(writer->AddFunction(hash, name));
  }
  std::sort(named.begin(), named.end());
  for (const BlobHash& function : unsent.functions) {
    written->functions.push_back(function);
    if (std::binary_search(named.begin(), named.end(), function)) continue;
    BLOBGRAPH_RETURN_IF_ERROR(writer->AddFunction(function, std::nullopt));
  }
  std::span<const EdgeDelta> edges(unsent.edges);  // grouped by caller (Unsent's order)
  for (size_t start = 0; start < edges.size();) {
    size_t end = start;
    while (end < edges.size() && edges[end].caller == edges[start].caller) ++end;
    BLOBGRAPH_RETURN_IF_ERROR(WriteCaller(edges[start].caller, edges.subspan(start, end - start),
                                          min_count, writer, written));
    start = end;
  }
  BLOBGRAPH_RETURN_IF_ERROR(WriteLoads(unsent.loads, unsent.run_weight, writer));
  written->loads = unsent.loads;
  written->run_weight = unsent.run_weight;
  return writer->Finish();
}

// The whole graph: names, then functions that only exist as declarations,
// then edges, then load statistics; `import` of the result reproduces every
// count.
Status WriteWholeGraph(const GraphStore& store, ProfileWriter* writer, uint64_t min_count,
                       const std::function<void(uint64_t callers)>& progress,
                       uint64_t* edges_written) {
  BLOBGRAPH_RETURN_IF_ERROR(writer->Begin(ProfileInfo::NewForThisHost()));
  std::vector<BlobHash> named;  // in hash order, as the store visits them
  BLOBGRAPH_RETURN_IF_ERROR(store.ForEachName([&](const BlobHash& hash, std::string_view name) {
    named.push_back(hash);
    return writer->AddFunction(hash, std::string(name));
  }));
  BLOBGRAPH_RETURN_IF_ERROR(store.ForEachNode([&](const NodeRecord& node) {
    bool isolated = node.callers == 0 && node.callees == 0;
    if (!isolated || std::binary_search(named.begin(), named.end(), node.hash)) return Status::Ok();
    return writer->AddFunction(node.hash, std::nullopt);
  }));
  uint64_t callers = 0;
  std::vector<EdgeDelta> row;
  GraphUpdate written;
  BLOBGRAPH_RETURN_IF_ERROR(
      store.ForEachCaller([&](const BlobHash& caller, std::span<const CalleeInfo> callees) {
        row.clear();
        for (const CalleeInfo& c : callees) {
          row.push_back({caller, c.callee, c.static_count, c.dynamic_count});
        }
        written.edges.clear();
        BLOBGRAPH_RETURN_IF_ERROR(WriteCaller(caller, row, min_count, writer, &written));
        *edges_written += written.edges.size();
        if (progress) progress(++callers);
        return Status::Ok();
      }));
  std::vector<LoadWeights> loads;
  BLOBGRAPH_RETURN_IF_ERROR(store.ForEachLoadRecord([&](const LoadRecord& record) {
    loads.push_back({record.hash, record.run_weight, record.position_weight});
    return Status::Ok();
  }));
  auto run_weight = store.RunWeight();
  if (!run_weight.ok()) return run_weight.status();
  BLOBGRAPH_RETURN_IF_ERROR(WriteLoads(loads, *run_weight, writer));
  return writer->Finish();
}

}  // namespace blobgraph::formats
