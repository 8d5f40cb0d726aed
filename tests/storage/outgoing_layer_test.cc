// The outgoing batch (GraphStore::SealUnsent / ClearOutgoing): this store's
// unsent observations sealed under one profile id until a push is
// acknowledged, so a retried push carries the same id.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "blobgraph/graph_store.h"
#include "storage/store_test_util.h"

namespace blobgraph::storage_test {
namespace {

constexpr uint64_t kUnit = LoadRecord::kRunWeight;
using Edges = std::map<std::pair<BlobHash, BlobHash>, std::pair<uint64_t, uint64_t>>;

Edges EdgesOf(const GraphUpdate& update) {
  Edges edges;
  for (const EdgeDelta& e : update.edges) {
    auto& counts = edges[{e.caller, e.callee}];
    counts.first += e.static_count;
    counts.second += e.dynamic_count;
  }
  return edges;
}

void ExpectVerified(const GraphStore& store) {
  std::vector<std::string> problems;
  ASSERT_TRUE(store.Verify(&problems).ok());
  EXPECT_TRUE(problems.empty()) << problems.front();
}

GraphUpdate Observed(std::vector<EdgeDelta> edges) {
  GraphUpdate update;
  update.edges = std::move(edges);
  return update;
}

const BlobHash a = TestHash(1), b = TestHash(2), c = TestHash(3);

TEST(OutgoingBatchTest, SealTwiceReturnsTheSameBatchAndLaterObservationsStayUnsent) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  GraphUpdate first = Observed({{a, b, 2, 5}});
  first.functions = {c};
  first.names = {{a, "alpha"}};
  first.runs = {{a, b}};
  ASSERT_TRUE(store->Apply(first).ok());

  auto sealed = store->SealUnsent();
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  ASSERT_TRUE(sealed->profile.has_value());
  EXPECT_EQ(EdgesOf(*sealed), (Edges{{{a, b}, {2, 5}}}));
  EXPECT_EQ(sealed->functions, std::vector<BlobHash>{c});
  EXPECT_EQ(sealed->run_weight, kUnit);
  EXPECT_EQ(sealed->loads.size(), 2u);
  ASSERT_EQ(sealed->names.size(), 1u);
  EXPECT_EQ(sealed->names[0].second, "alpha");
  EXPECT_TRUE(store->Unsent()->empty());
  EXPECT_EQ(store->Stats()->outgoing_edges, 1u);
  EXPECT_EQ(store->Stats()->unsent_edges, 0u);

  // Observed after the seal: unsent, not in the batch; sealing again is a retry.
  ASSERT_TRUE(store->Apply(Observed({{a, b, 0, 3}, {b, c, 0, 1}})).ok());
  auto again = store->SealUnsent();
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(again->profile.has_value());
  EXPECT_EQ(again->profile->id, sealed->profile->id);
  EXPECT_EQ(again->profile->source_host, sealed->profile->source_host);
  EXPECT_EQ(again->profile->created_unix_ms, sealed->profile->created_unix_ms);
  EXPECT_EQ(EdgesOf(*again), EdgesOf(*sealed));
  EXPECT_EQ(again->run_weight, kUnit);
  EXPECT_EQ(EdgesOf(*store->Unsent()), (Edges{{{a, b}, {0, 3}}, {{b, c}, {0, 1}}}));
  EXPECT_EQ(store->Stats()->unsent_edges, 2u);
  EXPECT_EQ(store->Stats()->dynamic_total, 9u);  // the graph counts each once
  ExpectVerified(*store);

  ASSERT_TRUE(store->ClearOutgoing(sealed->profile->id).ok());
  EXPECT_EQ(store->Stats()->outgoing_edges, 0u);
  auto next = store->SealUnsent();
  ASSERT_TRUE(next.ok());
  ASSERT_TRUE(next->profile.has_value());
  EXPECT_NE(next->profile->id, sealed->profile->id);
  EXPECT_EQ(EdgesOf(*next), (Edges{{{a, b}, {0, 3}}, {{b, c}, {0, 1}}}));
  EXPECT_EQ(next->run_weight, 0u);
  ASSERT_TRUE(store->ClearOutgoing(next->profile->id).ok());

  auto nothing = store->SealUnsent();
  ASSERT_TRUE(nothing.ok());
  EXPECT_FALSE(nothing->profile.has_value());
  EXPECT_TRUE(nothing->empty());
  EXPECT_EQ(store->Stats()->dynamic_total, 9u);
  ExpectVerified(*store);
}

TEST(OutgoingBatchTest, ClearWithAnotherIdIsRefusedNamingBothIds) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  ProfileInfo other = ProfileInfo::NewForThisHost();
  Status none = store->ClearOutgoing(other.id);
  EXPECT_EQ(none.code(), Status::Code::kInvalidInput);
  EXPECT_NE(none.message().find(other.IdHex()), std::string::npos) << none.message();
  EXPECT_NE(none.message().find("no outgoing batch"), std::string::npos) << none.message();

  ASSERT_TRUE(store->Apply(Observed({{a, b, 1, 4}})).ok());
  auto sealed = store->SealUnsent();
  ASSERT_TRUE(sealed.ok() && sealed->profile.has_value());
  Status wrong = store->ClearOutgoing(other.id);
  EXPECT_EQ(wrong.code(), Status::Code::kInvalidInput);
  EXPECT_NE(wrong.message().find(other.IdHex()), std::string::npos) << wrong.message();
  EXPECT_NE(wrong.message().find(sealed->profile->IdHex()), std::string::npos) << wrong.message();
  EXPECT_NE(wrong.message().find(dir.path()), std::string::npos) << wrong.message();
  // Nothing changed: the same batch is still there.
  auto kept = store->SealUnsent();
  ASSERT_TRUE(kept.ok() && kept->profile.has_value());
  EXPECT_EQ(kept->profile->id, sealed->profile->id);
  EXPECT_EQ(EdgesOf(*kept), (Edges{{{a, b}, {1, 4}}}));
}

TEST(OutgoingBatchTest, ReopenKeepsTheOutgoingBatch) {
  ScratchDir dir;
  std::array<uint8_t, 16> id{};
  {
    auto store = OpenOrFail(dir.path());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Apply(Observed({{a, b, 1, 4}, {a, c, 0, 2}})).ok());
    auto sealed = store->SealUnsent();
    ASSERT_TRUE(sealed.ok() && sealed->profile.has_value());
    id = sealed->profile->id;
  }
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Stats()->outgoing_edges, 2u);
  ExpectVerified(*store);
  auto kept = store->SealUnsent();
  ASSERT_TRUE(kept.ok() && kept->profile.has_value());
  EXPECT_EQ(kept->profile->id, id);
  EXPECT_EQ(EdgesOf(*kept), (Edges{{{a, b}, {1, 4}}, {{a, c}, {0, 2}}}));
  ASSERT_TRUE(store->ClearOutgoing(id).ok());
  EXPECT_EQ(store->Stats()->outgoing_edges, 0u);
  EXPECT_EQ(store->Stats()->dynamic_total, 6u);
}

TEST(OutgoingBatchTest, ReadOnlyStoreRefusesSealAndClear) {
  ScratchDir dir;
  {
    auto store = OpenOrFail(dir.path());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Apply(Observed({{a, b, 1, 4}})).ok());
  }
  StoreOptions read_only;
  read_only.read_only = true;
  auto store = OpenOrFail(dir.path(), read_only);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SealUnsent().status().code(), Status::Code::kInvalidInput);
  EXPECT_EQ(store->ClearOutgoing(ProfileInfo::NewForThisHost().id).code(),
            Status::Code::kInvalidInput);
  EXPECT_EQ(store->Stats()->unsent_edges, 1u);
}

TEST(OutgoingBatchTest, ConcurrentRecordingWhileSealingSendsEachObservationOnce) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  constexpr int kUpdates = 300;
  std::thread recorder([&] {
    for (int i = 0; i < kUpdates; ++i) {
      GraphUpdate observed = Observed({{a, b, 0, 1}, {b, TestHash(100 + i % 7), 0, 2}});
      observed.runs = {{a}};
      EXPECT_TRUE(store->Apply(observed).ok());
    }
  });
  Edges sent;
  uint64_t sent_runs = 0;
  auto send_round = [&] {
    auto sealed = store->SealUnsent();
    ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
    if (!sealed->profile.has_value()) return;
    for (const auto& [edge, counts] : EdgesOf(*sealed)) sent[edge].second += counts.second;
    sent_runs += sealed->run_weight;
    ASSERT_TRUE(store->ClearOutgoing(sealed->profile->id).ok());
  };
  for (int round = 0; round < 40; ++round) send_round();
  recorder.join();
  send_round();
  EXPECT_EQ(sent[std::make_pair(a, b)].second, uint64_t{kUpdates});
  uint64_t b_calls = 0;
  for (const auto& [edge, counts] : sent) {
    if (edge.first == b) b_calls += counts.second;
  }
  EXPECT_EQ(b_calls, 2u * kUpdates);
  EXPECT_EQ(sent_runs, kUpdates * kUnit);
  EXPECT_TRUE(store->Unsent()->empty());
  EXPECT_EQ(store->Stats()->outgoing_edges, 0u);
  EXPECT_EQ(store->Stats()->dynamic_total, 3u * kUpdates);
  ExpectVerified(*store);
}

}  // namespace
}  // namespace blobgraph::storage_test
