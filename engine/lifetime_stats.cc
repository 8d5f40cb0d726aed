#include "engine/lifetime_stats.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <vector>

#include "engine/feedback_tracker.h"

namespace blobgraph::engine {
namespace {

struct StoreTotals {
  FeedbackStats closed;
  std::vector<const FeedbackTracker*> live;
};

// Process-wide by nature: the totals must outlive every engine. Reached only
// through the three functions below.
struct Registry {
  std::mutex mutex;
  std::map<std::string, StoreTotals> stores;
};
Registry& TheRegistry() {
  static Registry* registry = new Registry();  // never destroyed: engines may close at exit
  return *registry;
}

void Add(FeedbackStats* sum, const FeedbackStats& more) {
  sum->requests += more.requests;
  sum->issued += more.issued;
  sum->hits += more.hits;
  sum->wasted += more.wasted;
  sum->stalls += more.stalls;
}

}  // namespace

void RegisterLiveTracker(const std::string& store_path, const FeedbackTracker* tracker) {
  Registry& registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  registry.stores[store_path].live.push_back(tracker);
}

void RetireTracker(const std::string& store_path, const FeedbackTracker* tracker) {
  Registry& registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  StoreTotals& totals = registry.stores[store_path];
  auto it = std::find(totals.live.begin(), totals.live.end(), tracker);
  if (it == totals.live.end()) return;
  totals.live.erase(it);
  Add(&totals.closed, tracker->Stats());
}

FeedbackStats LifetimeTotals(const std::string& store_path) {
  Registry& registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  StoreTotals& totals = registry.stores[store_path];
  FeedbackStats sum = totals.closed;
  for (const FeedbackTracker* tracker : totals.live) Add(&sum, tracker->Stats());
  return sum;
}

}  // namespace blobgraph::engine
