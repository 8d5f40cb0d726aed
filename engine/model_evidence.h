// ModelEvidence: what PrefetchModel (include/blobgraph/prefetch_model.h)
// needs beyond a caller's own row: each function's recorded runs (from its
// load records), each callee's sums over the running callers that list it,
// and the store's list precision. Gathered off the hot path when a snapshot
// is built; immutable after, shared by the snapshot build and the rows the
// engine reads after a miss.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "blobgraph/graph_store.h"
#include "blobgraph/prefetch_model.h"
#include "blobgraph/status.h"
#include "engine/fingerprint_table.h"
#include "engine/hot_subgraph.h"

namespace blobgraph::engine {

class ModelEvidence {
 public:
  // Runs from `records` (LoadRecord::run_weight, in runs); callee sums from
  // the store's rows, scanning at most `max_edges` edges (0: all). A scan
  // cut short gives sums over the rows it read (rows come in hash order,
  // so a sample of the callers); the list precision is always from them.
  static Result<std::shared_ptr<const ModelEvidence>> Gather(const GraphStore& store,
                                                             const PrefetchModel& model,
                                                             std::span<const LoadRecord> records,
                                                             size_t max_edges);

  // r: the caller's recorded runs; if it has none, the largest observed
  // count in `row` (each invocation a run; 0 if nothing was observed).
  double CallerRuns(const BlobHash& caller, std::span<const CalleeInfo> row) const;
  // m_x of a listed edge into `callee`.
  double ListedPrior(const BlobHash& callee) const;
  double list_precision() const { return list_precision_; }

  // `row` converted: p(callee | caller) per callee, most probable first
  // (ties: more observed calls, then bytewise by hash), into `out`
  // (cleared first). Callees with p = 0 are left out.
  void ToCallees(const BlobHash& caller, std::span<const CalleeInfo> row,
                 std::vector<HotSubgraphBuilder::Callee>* out) const;

 private:
  struct Sums {
    double taken = 0;   // T_x
    double listed = 0;  // L_x
  };
  explicit ModelEvidence(const PrefetchModel& model) : model_(model) {}
  // Adds a running caller's row to the sums.
  void AddRow(double caller_runs, std::span<const CalleeInfo> row);

  PrefetchModel model_;
  FingerprintTable<double> runs_;
  FingerprintTable<Sums> callee_sums_;
  double taken_ = 0, listed_ = 0;  // T, L over the store
  double list_precision_ = 0;
};

}  // namespace blobgraph::engine
