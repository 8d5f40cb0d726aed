// No count wraps at 2^64: Apply refuses (kInvalidInput, naming the hashes)
// any update that would overflow an edge, a caller's row totals, a node
// total, a load statistic or a feedback total, by either write method, and
// the store is left exactly as it was; the merge operators saturate and
// never throw; probabilities stay within [0, 1].
#include <gtest/gtest.h>
#include <rocksdb/merge_operator.h>

#include <cmath>
#include <limits>

#include "blobgraph/graph_store.h"
#include "storage/key_layout.h"
#include "storage/merge_operators.h"
#include "storage/raw_records_util.h"
#include "storage/store_test_util.h"

namespace blobgraph::storage_test {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

struct Contents {
  EdgeMap edges;
  std::map<BlobHash, std::tuple<uint64_t, uint64_t, uint64_t>> nodes;
  FeedbackStats feedback;
  uint64_t runs = 0;
  bool operator==(const Contents& o) const {
    return edges == o.edges && nodes == o.nodes && feedback.requests == o.feedback.requests &&
           feedback.hits == o.feedback.hits && runs == o.runs;
  }
};

Contents Take(const GraphStore& store) {
  Contents c;
  c.edges = AllEdges(store);
  EXPECT_TRUE(store
                  .ForEachNode([&](const NodeRecord& n) {
                    c.nodes[n.hash] = {n.in_static, n.in_dynamic, n.callers};
                    return Status::Ok();
                  })
                  .ok());
  auto stats = store.Stats();
  EXPECT_TRUE(stats.ok()) << stats.status().ToString();
  if (stats.ok()) c.feedback = stats->feedback, c.runs = stats->runs;
  return c;
}

class CountOverflowTest : public ::testing::TestWithParam<WriteMethod> {
 protected:
  void SetUp() override {
    store_ = OpenOrFail(dir_.path());
    ASSERT_NE(store_, nullptr);
    GraphUpdate base;
    base.edges = {{a_, b_, 1, 10}, {a_, c_, 2, 20}};
    base.feedback.requests = kMax - 3;
    ASSERT_TRUE(store_->Apply(base).ok());
    before_ = Take(*store_);
  }
  // Applies `update` with the test's method, expects a refusal mentioning
  // every string of `named`, and the store unchanged.
  void ExpectRefused(const GraphUpdate& update, const std::vector<std::string>& named) {
    Status status = store_->Apply(update, {GetParam()});
    EXPECT_EQ(status.code(), Status::Code::kInvalidInput) << status.ToString();
    for (const std::string& word : named) {
      EXPECT_NE(status.message().find(word), std::string::npos)
          << word << " in " << status.message();
    }
    EXPECT_TRUE(Take(*store_) == before_);
    std::vector<std::string> problems;
    ASSERT_TRUE(store_->Verify(&problems).ok());
    EXPECT_TRUE(problems.empty()) << problems.front();
  }

  ScratchDir dir_;
  std::unique_ptr<GraphStore> store_;
  BlobHash a_ = TestHash(1), b_ = TestHash(2), c_ = TestHash(3), d_ = TestHash(4);
  Contents before_;
};

TEST_P(CountOverflowTest, EdgeDynamicCountThatWouldWrapIsRefused) {
  GraphUpdate update;
  update.edges = {{d_, c_, 0, 1}, {a_, b_, 0, kMax - 9}};  // 10 + (2^64 - 10) wraps to 0
  ExpectRefused(update, {a_.ToHex(), b_.ToHex(), "2^64 - 1"});
}

TEST_P(CountOverflowTest, RepeatsWithinOneUpdateThatWrapAreRefused) {
  GraphUpdate update;
  update.edges = {{d_, b_, 0, kMax}, {d_, b_, 0, 1}};
  ExpectRefused(update, {d_.ToHex(), b_.ToHex(), "sum past 2^64 - 1"});
}

TEST_P(CountOverflowTest, CallerRowTotalThatWouldWrapIsRefused) {
  GraphUpdate update;
  update.edges = {{a_, d_, 0, kMax - 25}};  // fits the edge; 10 + 20 + it does not
  ExpectRefused(update, {"caller " + a_.ToHex(), "dynamic counts would sum past"});
}

TEST_P(CountOverflowTest, StaticRowTotalThatWouldWrapIsRefused) {
  GraphUpdate update;
  update.edges = {{d_, a_, kMax, 0}, {d_, b_, 1, 0}};
  ExpectRefused(update, {"caller " + d_.ToHex(), "static counts would sum past"});
}

TEST_P(CountOverflowTest, NodeTotalThatWouldWrapIsRefused) {
  GraphUpdate update;
  update.edges = {{d_, b_, 0, kMax - 5}};  // b already has 10 calls in
  ExpectRefused(update, {"function " + b_.ToHex(), "incoming dynamic count"});
}

TEST_P(CountOverflowTest, FeedbackTotalThatWouldWrapIsRefused) {
  GraphUpdate update;
  update.feedback.requests = 4;
  ExpectRefused(update, {"feedback", "requests"});
}

TEST_P(CountOverflowTest, LoadStatisticThatWouldWrapIsRefused) {
  store_.reset();
  std::string value;
  uint64_t stored[2] = {kMax - 1, 0};
  storage::EncodeVarints(stored, 2, &value);
  PutRaw(dir_.path(), "loads", b_.AsBytes(), value);
  store_ = OpenOrFail(dir_.path());
  ASSERT_NE(store_, nullptr);
  before_ = Take(*store_);
  GraphUpdate update;
  update.runs = {{a_, b_}};
  Status status = store_->Apply(update, {GetParam()});
  EXPECT_EQ(status.code(), Status::Code::kInvalidInput) << status.ToString();
  EXPECT_NE(status.message().find("load record of " + b_.ToHex()), std::string::npos)
      << status.message();
  EXPECT_TRUE(Take(*store_) == before_);
}

TEST_P(CountOverflowTest, CountsUpToTheLimitAreAccepted) {
  GraphUpdate update;
  update.edges = {{d_, a_, 0, kMax}};
  ASSERT_TRUE(store_->Apply(update, {GetParam()}).ok());
  auto callees = store_->Callees(d_);
  ASSERT_TRUE(callees.ok());
  ASSERT_EQ(callees->size(), 1u);
  EXPECT_EQ((*callees)[0].dynamic_count, kMax);
  EXPECT_DOUBLE_EQ((*callees)[0].probability, 1.0);
}

INSTANTIATE_TEST_SUITE_P(BothWriteMethods, CountOverflowTest,
                         ::testing::Values(WriteMethod::kWriteBatch, WriteMethod::kIngest));

// The merge operators themselves, called as RocksDB calls them.
std::string Row(const BlobHash& callee, uint64_t s, uint64_t d) {
  std::string row;
  storage::EncodeRow({{callee, s, d}}, &row);
  return row;
}

TEST(MergeOperatorTest, EdgeRowSumsSaturateInsteadOfWrapping) {
  auto op = storage::NewEdgeRowMergeOperator();
  std::string existing = Row(TestHash(7), kMax - 1, 5);
  std::string operand = Row(TestHash(7), 3, kMax);
  rocksdb::Slice existing_slice(existing);
  std::vector<rocksdb::Slice> operands = {rocksdb::Slice(operand)};
  std::string result;
  rocksdb::Slice existing_operand;
  rocksdb::MergeOperator::MergeOperationOutput out(result, existing_operand);
  rocksdb::Slice key("k");
  rocksdb::MergeOperator::MergeOperationInput in(key, &existing_slice, operands, nullptr);
  ASSERT_TRUE(op->FullMergeV2(in, &out));
  std::vector<storage::RowEntry> entries;
  ASSERT_FALSE(storage::DecodeRow(result, &entries).has_value());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].static_count, kMax);
  EXPECT_EQ(entries[0].dynamic_count, kMax);
}

TEST(MergeOperatorTest, VarintSumsSaturateAndBadOperandsReturnFalse) {
  auto op = storage::NewVarintAddMergeOperator();
  std::string a, b;
  uint64_t x[2] = {kMax, 1}, y[2] = {2, 2};
  storage::EncodeVarints(x, 2, &a);
  storage::EncodeVarints(y, 2, &b);
  std::vector<rocksdb::Slice> operands = {rocksdb::Slice(a), rocksdb::Slice(b)};
  std::string result;
  rocksdb::Slice existing_operand;
  rocksdb::MergeOperator::MergeOperationOutput out(result, existing_operand);
  rocksdb::Slice key("k");
  rocksdb::MergeOperator::MergeOperationInput in(key, nullptr, operands, nullptr);
  ASSERT_TRUE(op->FullMergeV2(in, &out));
  uint64_t sums[2];
  ASSERT_TRUE(storage::DecodeVarints(result, sums, 2));
  EXPECT_EQ(sums[0], kMax);
  EXPECT_EQ(sums[1], 3u);

  std::string bad = "\xff\xff";  // a varint cut short
  std::vector<rocksdb::Slice> bad_operands = {rocksdb::Slice(bad)};
  rocksdb::MergeOperator::MergeOperationInput bad_in(key, nullptr, bad_operands, nullptr);
  EXPECT_FALSE(op->FullMergeV2(bad_in, &out));
  auto edge_op = storage::NewEdgeRowMergeOperator();
  EXPECT_FALSE(edge_op->FullMergeV2(bad_in, &out));
}

TEST(ProbabilityBoundsTest, HugeCountsAndOddPriorsStayWithinZeroAndOne) {
  for (double prior : {0.0, 0.5, 4.0, 1e300, std::nan("")}) {
    ProbabilityModel model;
    model.prior_weight = prior;
    RowTotals totals;
    std::vector<std::pair<uint64_t, uint64_t>> row = {{kMax, kMax}, {kMax, 1}, {0, kMax}, {1, 0}};
    for (auto [s, d] : row) totals.Add(s, d);  // the integer sums saturate
    EXPECT_TRUE(totals.saturated());
    double sum = 0;
    for (auto [s, d] : row) {
      double p = model.Probability(s, d, totals);
      EXPECT_GE(p, 0.0) << prior;
      EXPECT_LE(p, 1.0) << prior;
      sum += p;
    }
    EXPECT_LE(sum, 1.0 + 1e-9) << prior;
  }
}

}  // namespace
}  // namespace blobgraph::storage_test
