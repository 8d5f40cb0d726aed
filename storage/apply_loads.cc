// EmitRuns (apply_steps.h): an update's load orders, run continuations and
// aggregated load statistics become one merge operand per function's load
// record (fixed-point run weights, key_layout.h `loads`) and the store's run
// weight.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/apply_steps.h"
#include "storage/count_math.h"
#include "storage/key_layout.h"
#include "storage/total_checks.h"

namespace blobgraph::storage {
namespace {

using LoadDeltas = std::unordered_map<BlobHash, LoadDelta>;

// One first load at `position` of its run, in fixed-point run weights.
Status AddLoad(const std::string& path, const BlobHash& hash, uint64_t position,
               LoadDeltas* loads) {
  LoadDelta& load = (*loads)[hash];
  uint64_t position_weight;
  if (!CheckedMul(position, kRunWeightUnit, &position_weight) ||
      !CheckedAdd(load.runs, kRunWeightUnit, &load.runs) ||
      !CheckedAdd(load.position_sum, position_weight, &load.position_sum)) {
    return Status::InvalidInput(path + ": load record of " + hash.ToHex() +
                                ": the update's positions sum past 2^64 - 1");
  }
  return Status::Ok();
}

// What the update adds to each function's load record: its runs' and run
// continuations' loads, and its aggregated statistics (a profile's).
Status CollectLoads(const std::string& path, const GraphUpdate& update, LoadDeltas* loads) {
  for (const std::vector<BlobHash>& run : update.runs) {
    for (size_t position = 0; position < run.size(); ++position) {
      BLOBGRAPH_RETURN_IF_ERROR(AddLoad(path, run[position], position, loads));
    }
  }
  // A continuation's loads count like a run's; its run was counted already
  // (by the update that brought the run's first part).
  for (const RunContinuation& part : update.run_continuations) {
    for (size_t i = 0; i < part.loads.size(); ++i) {
      uint64_t position;
      if (!CheckedAdd(part.first_position, i, &position)) {
        return Status::InvalidInput(path + ": run continuation positions pass 2^64 - 1");
      }
      BLOBGRAPH_RETURN_IF_ERROR(AddLoad(path, part.loads[i], position, loads));
    }
  }
  // Aggregated statistics: already in fixed point.
  for (const LoadWeights& weights : update.loads) {
    LoadDelta& load = (*loads)[weights.hash];
    if (!CheckedAdd(load.runs, weights.run_weight, &load.runs) ||
        !CheckedAdd(load.position_sum, weights.position_weight, &load.position_sum)) {
      return Status::InvalidInput(path + ": load record of " + weights.hash.ToHex() +
                                  ": the update's run weights sum past 2^64 - 1");
    }
  }
  return Status::Ok();
}

// The update's runs in fixed point, plus the run weight it brings.
Status UpdateRunWeight(const std::string& path, const GraphUpdate& update, uint64_t* run_weight) {
  if (!CheckedMul(update.runs.size(), kRunWeightUnit, run_weight) ||
      !CheckedAdd(*run_weight, update.run_weight, run_weight)) {
    return Status::InvalidInput(path +
                                ": update has too many runs (its run weight "
                                "passes 2^64 - 1)");
  }
  return Status::Ok();
}

}  // namespace

Status EmitRuns(const DbHandles& handles, const GraphUpdate& update, const LayerTarget& layer,
                WriteSink* sink) {
  if (update.runs.empty() && update.run_continuations.empty() && update.loads.empty() &&
      update.run_weight == 0) {
    return Status::Ok();
  }
  LoadDeltas loads;
  BLOBGRAPH_RETURN_IF_ERROR(CollectLoads(handles.path, update, &loads));
  std::vector<std::pair<BlobHash, LoadDelta>> sorted(loads.begin(), loads.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  uint64_t run_weight;
  BLOBGRAPH_RETURN_IF_ERROR(UpdateRunWeight(handles.path, update, &run_weight));
  BLOBGRAPH_RETURN_IF_ERROR(CheckLoadTotals(handles, sorted, run_weight));
  std::string value;
  for (const auto& [hash, load] : sorted) {
    uint64_t values[2] = {load.runs, load.position_sum};
    EncodeVarints(values, 2, &value);
    BLOBGRAPH_RETURN_IF_ERROR(sink->Merge(Cf::kLoads, HashKey(hash), value));
    if (layer.layer) {
      BLOBGRAPH_RETURN_IF_ERROR(
          sink->Merge(Cf::kLayers, LayerKey(*layer.layer, LayerKind::kLoad, &hash), value));
    }
  }
  if (run_weight == 0) return Status::Ok();  // continuations add loads, not runs
  EncodeVarints(&run_weight, 1, &value);
  if (layer.layer) {
    BLOBGRAPH_RETURN_IF_ERROR(
        sink->Merge(Cf::kLayers, LayerKey(*layer.layer, LayerKind::kRunWeight), value));
  }
  return sink->Merge(Cf::kMeta, kRunsKey, value);
}

}  // namespace blobgraph::storage
