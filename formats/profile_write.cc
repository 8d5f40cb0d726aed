// WriteProfile: a whole GraphUpdate through a ProfileWriter, the one
// implementation behind every command and library call that writes one.
#include <algorithm>
#include <map>

#include "blobgraph/profile_io.h"

namespace blobgraph::formats {
namespace {

bool Add(uint64_t* sum, uint64_t more) { return !__builtin_add_overflow(*sum, more, sum); }

// `runs` and `run_continuations` as load weights, the way the store folds
// them (storage/apply_writer.cc): a first load at position p adds
// (kRunWeight, p * kRunWeight); a continuation's run was counted already.
// Ordered by hash, so the file is the same whatever order the runs had.
Status FoldRuns(const GraphUpdate& update, std::map<BlobHash, LoadWeights>* folded,
                uint64_t* run_weight) {
  constexpr uint64_t kUnit = LoadRecord::kRunWeight;
  auto add = [&](const BlobHash& hash, uint64_t position) {
    LoadWeights& load = (*folded)[hash];
    load.hash = hash;
    uint64_t position_weight;
    if (__builtin_mul_overflow(position, kUnit, &position_weight) ||
        !Add(&load.run_weight, kUnit) || !Add(&load.position_weight, position_weight)) {
      return Status::InvalidInput("profile: load statistics of " + hash.ToHex() +
                                  " pass 2^64 - 1 when its runs are folded in");
    }
    return Status::Ok();
  };
  for (const std::vector<BlobHash>& run : update.runs) {
    for (size_t position = 0; position < run.size(); ++position) {
      BLOBGRAPH_RETURN_IF_ERROR(add(run[position], position));
    }
    if (!Add(run_weight, kUnit)) {
      return Status::InvalidInput(
          "profile: the run weight passes 2^64 - 1 when runs are folded in");
    }
  }
  for (const RunContinuation& part : update.run_continuations) {
    for (size_t i = 0; i < part.loads.size(); ++i) {
      uint64_t position = part.first_position;
      if (!Add(&position, i)) {
        return Status::InvalidInput("profile: run continuation positions pass 2^64 - 1");
      }
      BLOBGRAPH_RETURN_IF_ERROR(add(part.loads[i], position));
    }
  }
  return Status::Ok();
}

}  // namespace

Status WriteProfile(ProfileWriter& writer, const GraphUpdate& update) {
  if (!update.profile) {
    return Status::InvalidInput("profile: the update has no identity (update.profile unset)");
  }
  std::map<BlobHash, LoadWeights> folded;
  uint64_t run_weight = update.run_weight;
  BLOBGRAPH_RETURN_IF_ERROR(FoldRuns(update, &folded, &run_weight));

  BLOBGRAPH_RETURN_IF_ERROR(writer.Begin(*update.profile));
  for (const auto& [hash, name] : update.names) {
    BLOBGRAPH_RETURN_IF_ERROR(writer.AddFunction(hash, name));
  }
  for (const BlobHash& hash : update.functions) {
    BLOBGRAPH_RETURN_IF_ERROR(writer.AddFunction(hash, std::nullopt));
  }
  for (const EdgeDelta& edge : update.edges) BLOBGRAPH_RETURN_IF_ERROR(writer.AddEdge(edge));
  for (const LoadWeights& load : update.loads) BLOBGRAPH_RETURN_IF_ERROR(writer.AddLoad(load));
  for (const auto& [hash, load] : folded) BLOBGRAPH_RETURN_IF_ERROR(writer.AddLoad(load));
  if (run_weight != 0 || !update.loads.empty() || !folded.empty()) {
    BLOBGRAPH_RETURN_IF_ERROR(writer.SetRunWeight(run_weight));
  }
  return writer.Finish();
}

}  // namespace blobgraph::formats
