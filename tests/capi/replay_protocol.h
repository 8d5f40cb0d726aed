// The replay protocol of issue 6 over the public C++ Engine API, written
// independently of the C example and of tools/, to check the C example's
// counts. See examples/c/replay.c for the protocol in words.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "blobgraph/engine.h"
#include "blobgraph/graph_store.h"
#include "formats/trace_format.h"

namespace blobgraph::capi_test {

struct ProtocolCounts {
  uint64_t events = 0, distinct = 0, cold = 0, covered = 0, stalls = 0, prefetched = 0, wasted = 0,
           start_set = 0;
};

// Replays the trace at `trace_path` against the store at `store_path`
// (opened read-only), with the engine's default prefetch options and a start
// set of up to `start_set` functions.
inline Result<ProtocolCounts> ReplayWithCxxEngine(const std::string& store_path,
                                                  const std::string& trace_path, size_t start_set) {
  std::vector<formats::CallEvent> events;
  BLOBGRAPH_RETURN_IF_ERROR(formats::ReadTrace(
      trace_path, formats::TraceFormat::kAuto, [&](std::span<const formats::CallEvent> chunk) {
        events.insert(events.end(), chunk.begin(), chunk.end());
        return Status::Ok();
      }));
  StoreOptions store_options;
  store_options.read_only = true;
  store_options.create_if_missing = false;
  auto store = GraphStore::Open(store_path, store_options);
  if (!store.ok()) return store.status();
  EngineOptions engine_options;
  engine_options.refresh_interval = std::chrono::milliseconds(0);
  engine_options.flush_interval = std::chrono::milliseconds(0);
  auto engine = Engine::Open(store->get(), engine_options);
  if (!engine.ok()) return engine.status();

  ProtocolCounts counts;
  std::unordered_map<BlobHash, int64_t> prefetched_at;
  std::unordered_set<BlobHash> loaded;
  auto issue = [&](int64_t event, const BlobHash& hash) {
    if (!loaded.count(hash) && prefetched_at.emplace(hash, event).second) ++counts.prefetched;
  };
  std::vector<BlobHash> start(start_set);
  counts.start_set = (*engine)->StartSet(start.size(), start.data());
  for (size_t i = 0; i < counts.start_set; ++i) issue(-1, start[i]);

  PrefetchOptions prefetch;
  // Room for the walk's results and the start set's release after them.
  std::vector<Prediction> predictions(prefetch.max_results + prefetch.start_follow);
  for (const formats::CallEvent& event : events) {
    int64_t index = static_cast<int64_t>(counts.events++);
    if (loaded.insert(event.callee).second) {
      ++counts.cold;
      if (prefetched_at.count(event.callee))
        ++counts.covered;
      else
        ++counts.stalls;
      (*engine)->OnLoad(event.callee);
    }
    size_t n = (*engine)->Prefetch(event.callee, prefetch, predictions.data(), predictions.size());
    for (size_t k = 0; k < n; ++k) issue(index, predictions[k].hash);
  }
  counts.distinct = loaded.size();
  for (const auto& [hash, at] : prefetched_at) {
    if (!loaded.count(hash)) ++counts.wasted;
  }
  return counts;
}

}  // namespace blobgraph::capi_test
