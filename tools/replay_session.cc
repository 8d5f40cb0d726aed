#include "tools/replay_session.h"

#include <algorithm>
#include <chrono>

#include "tools/prefetch_flags.h"

namespace blobgraph::tools {
namespace {

size_t LeadBucket(uint64_t lead) {
  size_t bucket = 0;
  while (bucket + 1 < kLeadBuckets && lead >= kLeadBucketStarts[bucket + 1]) ++bucket;
  return bucket;
}

}  // namespace

double ReplayReport::median_lead() const {
  if (leads.empty()) return 0.0;
  size_t half = leads.size() / 2;
  if (leads.size() % 2 == 1) return static_cast<double>(leads[half]);
  return (static_cast<double>(leads[half - 1]) + static_cast<double>(leads[half])) / 2;
}

double ReplayReport::coverage_at_lead(uint64_t lead) const {
  if (cold_loads == 0) return 0.0;
  // `leads` is sorted: the ones at least `lead` are a suffix.
  auto first = std::lower_bound(leads.begin(), leads.end(), lead);
  return static_cast<double>(leads.end() - first) / static_cast<double>(cold_loads);
}

ReplaySession::ReplaySession(Engine* engine, const ReplaySettings& settings,
                             std::vector<Decision>* decisions)
    : engine_(engine), settings_(settings), decisions_(decisions) {
  // Buffers sized by the graph, never by a flag alone (--max, --start-set).
  uint64_t functions = engine_->Snapshot().functions;
  predictions_.resize(PredictionCapacity(settings_.prefetch, functions));
  if (settings_.start_set > 0) {
    // The engine ranks at most 2^16 start functions (snapshot_loader.h),
    // possibly some outside a budget-limited snapshot.
    std::vector<BlobHash> start(
        std::min<uint64_t>(settings_.start_set, std::max<uint64_t>(functions, 1 << 16)));
    size_t count = engine_->StartSet(start.size(), start.data());
    for (size_t i = 0; i < count; ++i) Issue(-1, start[i]);
    report_.start_set_issued = count;
  }
}

void ReplaySession::Issue(int64_t event, const BlobHash& hash) {
  if (loaded_.count(hash) || !prefetched_at_.emplace(hash, event).second) return;
  ++report_.prefetched;
  if (decisions_ != nullptr) decisions_->push_back(Decision{event, hash});
}

void ReplaySession::OnEvent(const BlobHash& callee) {
  int64_t event = static_cast<int64_t>(report_.events++);
  if (loaded_.insert(callee).second) {
    ++report_.cold_loads;
    auto prefetched = prefetched_at_.find(callee);
    // Issues at event i come after its check, so any lead here is >= 1.
    uint64_t lead =
        prefetched == prefetched_at_.end() ? 0 : static_cast<uint64_t>(event - prefetched->second);
    if (lead > 0 && lead >= settings_.min_lead) {
      ++report_.covered;
      report_.lead_sum += static_cast<double>(lead);
      report_.leads.push_back(lead);
      ++report_.lead_buckets[LeadBucket(lead)];
    } else {
      ++report_.stalls;
    }
    engine_->OnLoad(callee);
  }
  auto begin = std::chrono::steady_clock::now();
  size_t count =
      engine_->Prefetch(callee, settings_.prefetch, predictions_.data(), predictions_.size());
  report_.engine_ns +=
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - begin).count();
  for (size_t i = 0; i < count; ++i) Issue(event, predictions_[i].hash);
}

ReplayReport ReplaySession::Finish() {
  report_.distinct_functions = loaded_.size();
  report_.feedback = engine_->Stats();
  std::sort(report_.leads.begin(), report_.leads.end());
  report_.wasted = 0;
  for (const auto& [hash, event] : prefetched_at_) {
    if (!loaded_.count(hash)) ++report_.wasted;
  }
  return report_;
}

}  // namespace blobgraph::tools
