// The storage codec and merge operators, tested directly (they sit below
// the public API, and their failure modes cannot be reached through it).
#include "storage/key_layout.h"

#include <gtest/gtest.h>

#include "storage/merge_operators.h"
#include "storage/store_test_util.h"

namespace blobgraph::storage {
namespace {

using storage_test::TestHash;

TEST(KeyLayoutTest, VarintsRoundTripAndRejectTruncation) {
  for (uint64_t value :
       {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{1} << 35, ~uint64_t{0}}) {
    std::string encoded;
    PutVarint(&encoded, value);
    std::string_view in = encoded;
    uint64_t decoded = 1;
    ASSERT_TRUE(GetVarint(&in, &decoded));
    EXPECT_EQ(decoded, value);
    EXPECT_TRUE(in.empty());
    std::string_view truncated(encoded.data(), encoded.size() - 1);
    if (!truncated.empty()) {
      EXPECT_FALSE(GetVarint(&truncated, &decoded));
    }
  }
  std::string overlong(11, '\x80');
  std::string_view in = overlong;
  uint64_t decoded;
  EXPECT_FALSE(GetVarint(&in, &decoded));
}

TEST(KeyLayoutTest, RowsRoundTripAndRejectDisorder) {
  std::vector<RowEntry> entries = {{TestHash(1), 1, 2}, {TestHash(2), 300, 0}, {TestHash(3), 0, 7}};
  std::sort(entries.begin(), entries.end(),
            [](const RowEntry& a, const RowEntry& b) { return a.callee < b.callee; });
  std::string row;
  EncodeRow(entries, &row);
  EXPECT_EQ(row.size(), 1 + 3 * 32 + 1 + 1 + 2 + 1 + 1 + 1);
  std::vector<RowEntry> decoded;
  ASSERT_EQ(DecodeRow(row, &decoded), std::nullopt);
  ASSERT_EQ(decoded.size(), 3u);
  EXPECT_EQ(decoded[1].static_count, entries[1].static_count);

  std::swap(entries[0], entries[1]);
  EncodeRow(entries, &row);
  EXPECT_NE(DecodeRow(row, &decoded), std::nullopt);
  EXPECT_NE(DecodeRow(row.substr(0, row.size() - 1), &decoded), std::nullopt);
  EXPECT_NE(DecodeRow(row + "x", &decoded), std::nullopt);
  EXPECT_NE(DecodeRow("\xff\xff\xff\x0f", &decoded), std::nullopt);  // huge count
}

TEST(KeyLayoutTest, FormatValueParses) {
  EXPECT_EQ(ParseFormatValue(FormatValue(1)), 1);
  EXPECT_EQ(ParseFormatValue("blobgraph-store 12"), 12);
  EXPECT_EQ(ParseFormatValue("blobgraph-store x"), std::nullopt);
  EXPECT_EQ(ParseFormatValue("other 1"), std::nullopt);
}

TEST(MergeOperatorTest, EdgeRowsAddBySortedMerge) {
  auto op = NewEdgeRowMergeOperator();
  BlobHash a = TestHash(1), b = TestHash(2), c = TestHash(3);
  auto row = [](std::vector<RowEntry> entries) {
    std::sort(entries.begin(), entries.end(),
              [](const RowEntry& x, const RowEntry& y) { return x.callee < y.callee; });
    std::string out;
    EncodeRow(entries, &out);
    return out;
  };
  std::string existing = row({{a, 1, 1}, {b, 2, 0}});
  std::string op1 = row({{b, 1, 5}, {c, 0, 1}});
  std::string op2 = row({{a, 0, 3}});
  rocksdb::Slice existing_slice(existing);
  std::vector<rocksdb::Slice> operands = {op1, op2};
  std::string result;
  rocksdb::Slice existing_operand;
  rocksdb::MergeOperator::MergeOperationOutput out(result, existing_operand);
  ASSERT_TRUE(op->FullMergeV2(
      rocksdb::MergeOperator::MergeOperationInput("k", &existing_slice, operands, nullptr), &out));
  EXPECT_EQ(result, row({{a, 1, 4}, {b, 3, 5}, {c, 0, 1}}));

  std::string partial;
  ASSERT_TRUE(op->PartialMergeMulti("k", {op1, op2}, &partial, nullptr));
  EXPECT_EQ(partial, row({{a, 0, 3}, {b, 1, 5}, {c, 0, 1}}));

  std::vector<rocksdb::Slice> bad = {rocksdb::Slice("\x05garbage")};
  EXPECT_FALSE(op->FullMergeV2(
      rocksdb::MergeOperator::MergeOperationInput("k", &existing_slice, bad, nullptr), &out));
  EXPECT_FALSE(op->PartialMergeMulti("k", {op1, rocksdb::Slice("\x01")}, &partial, nullptr));
}

TEST(MergeOperatorTest, VarintVectorsAddElementwise) {
  auto op = NewVarintAddMergeOperator();
  std::string a, b;
  uint64_t av[3] = {1, 200, 3}, bv[2] = {10, 20};
  EncodeVarints(av, 3, &a);
  EncodeVarints(bv, 2, &b);
  std::string result;
  rocksdb::Slice existing_operand;
  rocksdb::MergeOperator::MergeOperationOutput out(result, existing_operand);
  std::vector<rocksdb::Slice> operands = {a, b};
  ASSERT_TRUE(op->FullMergeV2(
      rocksdb::MergeOperator::MergeOperationInput("k", nullptr, operands, nullptr), &out));
  uint64_t sum[3];
  ASSERT_TRUE(DecodeVarints(result, sum, 3));
  EXPECT_EQ(sum[0], 11u);
  EXPECT_EQ(sum[1], 220u);
  EXPECT_EQ(sum[2], 3u);
  std::vector<rocksdb::Slice> bad = {rocksdb::Slice("\xff")};
  EXPECT_FALSE(op->FullMergeV2(
      rocksdb::MergeOperator::MergeOperationInput("k", nullptr, bad, nullptr), &out));
}

}  // namespace
}  // namespace blobgraph::storage
