#include "tools/replay_session.h"

#include <chrono>

namespace blobgraph::tools {

ReplaySession::ReplaySession(Engine* engine, const ReplaySettings& settings,
                             std::vector<Decision>* decisions)
    : engine_(engine), settings_(settings), decisions_(decisions) {
  predictions_.resize(settings_.prefetch.max_results);
  if (settings_.start_set > 0) {
    std::vector<BlobHash> start(settings_.start_set);
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
    if (prefetched != prefetched_at_.end()) {
      ++report_.covered;
      report_.lead_sum += static_cast<double>(event - prefetched->second);
    } else {
      ++report_.stalls;
    }
    engine_->OnLoad(callee);
  }
  auto begin = std::chrono::steady_clock::now();
  size_t count = engine_->Prefetch(callee, settings_.prefetch, predictions_.data(),
                                   predictions_.size());
  report_.engine_ns +=
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - begin).count();
  for (size_t i = 0; i < count; ++i) Issue(event, predictions_[i].hash);
}

ReplayReport ReplaySession::Finish() {
  report_.distinct_functions = loaded_.size();
  report_.feedback = engine_->Stats();
  report_.wasted = 0;
  for (const auto& [hash, event] : prefetched_at_) {
    if (!loaded_.count(hash)) ++report_.wasted;
  }
  return report_;
}

}  // namespace blobgraph::tools
