#include "engine/model_evidence.h"

#include <algorithm>

namespace blobgraph::engine {
namespace {

Status StopScan() { return Status::NotFound("engine: evidence scan limit"); }
bool IsStopScan(const Status& status) {
  return status.code() == Status::Code::kNotFound &&
         status.message() == "engine: evidence scan limit";
}

}  // namespace

Result<std::shared_ptr<const ModelEvidence>> ModelEvidence::Gather(
    const GraphStore& store, const PrefetchModel& model, std::span<const LoadRecord> records,
    size_t max_edges) {
  std::shared_ptr<ModelEvidence> evidence(new ModelEvidence(model));
  evidence->runs_.Reserve(records.size());
  for (const LoadRecord& record : records) {
    if (record.run_weight == 0) continue;
    evidence->runs_[record.hash.Fingerprint()] =
        static_cast<double>(record.run_weight) / static_cast<double>(LoadRecord::kRunWeight);
  }
  size_t scanned = 0;
  Status status = store.ForEachCaller([&](const BlobHash& caller, std::span<const CalleeInfo> row) {
    double runs = evidence->CallerRuns(caller, row);
    if (runs > 0) evidence->AddRow(runs, row);
    scanned += row.size();
    return max_edges != 0 && scanned >= max_edges ? StopScan() : Status::Ok();
  });
  if (!status.ok() && !IsStopScan(status)) {
    return status.WithContext("engine: reading rows for the model's evidence");
  }
  evidence->list_precision_ = model.ListPrecision(evidence->taken_, evidence->listed_);
  return std::shared_ptr<const ModelEvidence>(std::move(evidence));
}

void ModelEvidence::AddRow(double caller_runs, std::span<const CalleeInfo> row) {
  for (const CalleeInfo& c : row) {
    if (c.static_count == 0) continue;  // only listed edges say how good the lists are
    double taken = std::min(static_cast<double>(c.dynamic_count), caller_runs);
    Sums& sums = callee_sums_[c.callee.Fingerprint()];
    sums.taken += taken;
    sums.listed += caller_runs;
    taken_ += taken;
    listed_ += caller_runs;
  }
}

double ModelEvidence::CallerRuns(const BlobHash& caller, std::span<const CalleeInfo> row) const {
  if (const double* runs = runs_.Lookup(caller.Fingerprint())) return *runs;
  // No runs on record: each invocation counts as one, and the most called
  // callee bounds the invocations from below.
  uint64_t most = 0;
  for (const CalleeInfo& c : row) most = std::max(most, c.dynamic_count);
  return static_cast<double>(most);
}

double ModelEvidence::ListedPrior(const BlobHash& callee) const {
  const Sums* sums = callee_sums_.Lookup(callee.Fingerprint());
  if (sums == nullptr) return model_.ListedPrior(0, 0, list_precision_);
  return model_.ListedPrior(sums->taken, sums->listed, list_precision_);
}

void ModelEvidence::ToCallees(const BlobHash& caller, std::span<const CalleeInfo> row,
                              std::vector<HotSubgraphBuilder::Callee>* out) const {
  struct Scored {
    HotSubgraphBuilder::Callee callee;
    uint64_t dynamic;
  };
  thread_local std::vector<Scored> scored;
  scored.clear();
  double runs = CallerRuns(caller, row);
  for (const CalleeInfo& c : row) {
    double prior =
        c.static_count > 0 ? PrefetchModel::SitePrior(ListedPrior(c.callee), c.static_count) : 0.0;
    double p = model_.Probability(static_cast<double>(c.dynamic_count), runs, prior,
                                  static_cast<double>(c.wasted_count));
    float probability = static_cast<float>(p);
    if (!(probability > 0.0f)) continue;
    scored.push_back(Scored{HotSubgraphBuilder::Callee{c.callee, probability}, c.dynamic_count});
  }
  std::sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
    if (a.callee.probability != b.callee.probability)
      return a.callee.probability > b.callee.probability;
    if (a.dynamic != b.dynamic) return a.dynamic > b.dynamic;
    return a.callee.hash < b.callee.hash;
  });
  out->clear();
  for (const Scored& s : scored) out->push_back(s.callee);
}

}  // namespace blobgraph::engine
