// Soak run (label "stress", opt-in: ctest -L stress): many random updates
// through both write paths, reopenings and ageing, checked against an
// in-memory model of the edges after every step.
#include <random>

#include <gtest/gtest.h>

#include "blobgraph/graph_store.h"
#include "storage/store_test_util.h"

namespace blobgraph::storage_test {
namespace {

TEST(GraphStoreStressTest, RandomUpdatesMatchModel) {
  ScratchDir dir;
  EdgeMap model;
  std::mt19937_64 rng(2024);
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  for (int step = 0; step < 300; ++step) {
    GraphUpdate update;
    size_t count = rng() % 4 == 0 ? 20000 : 200;
    for (size_t i = 0; i < count; ++i) {
      EdgeDelta edge{TestHash(rng() % 2000), TestHash(rng() % 4000), rng() % 2, rng() % 50};
      // Static lists are set once per caller (a later different one is
      // refused): only the first update brings them.
      if (step > 0) edge.static_count = 0;
      update.edges.push_back(edge);
      if (edge.static_count || edge.dynamic_count) {
        auto& counts = model[{edge.caller, edge.callee}];
        counts.first += edge.static_count;
        counts.second += edge.dynamic_count;
      }
    }
    ApplyOptions apply;
    apply.method = rng() % 2 ? WriteMethod::kIngest : WriteMethod::kWriteBatch;
    ASSERT_TRUE(store->Apply(update, apply).ok());
    if (step % 50 == 49) {
      ASSERT_TRUE(store->Decay(0.5, 3).ok());
      for (auto it = model.begin(); it != model.end();) {
        it->second.second /= 2;
        it = it->second.first == 0 && it->second.second < 3 ? model.erase(it) : std::next(it);
      }
    }
    if (step % 30 == 29) {
      store.reset();
      store = OpenOrFail(dir.path());
      ASSERT_NE(store, nullptr);
    }
    if (step % 25 == 24) {
      ASSERT_TRUE(AllEdges(*store) == model) << "step " << step;
      std::vector<std::string> problems;
      ASSERT_TRUE(store->Verify(&problems).ok());
      ASSERT_TRUE(problems.empty()) << problems.front();
    }
  }
}

}  // namespace
}  // namespace blobgraph::storage_test
