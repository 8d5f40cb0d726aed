#include "blobgraph/dependency_io.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "formats/formats_test_util.h"

namespace blobgraph::formats {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;
using testing::TempDir;
using testing::TestHash;
using testing::WriteFile;

struct Function {
  BlobHash hash;
  std::string name;
  std::vector<BlobHash> callees;
};

// A small set with repeats (adjacent and not), declarations and names; function
// 5 has 70000 call sites so the stream needs several chunks' worth of entries.
std::vector<Function> SampleSet() {
  std::vector<Function> set;
  set.push_back({TestHash(1), "main", {TestHash(2), TestHash(2), TestHash(3), TestHash(2)}});
  set.push_back({TestHash(2), "", {TestHash(3)}});
  set.push_back({TestHash(3), "leaf", {}});
  set.push_back({TestHash(4), "", {}});
  std::vector<BlobHash> many;
  for (int i = 0; i < 70000; ++i) many.push_back(TestHash(100 + i % 7));
  set.push_back({TestHash(5), "wide", many});
  for (int i = 0; i < 70000; ++i) set.push_back({TestHash(1000 + i), "", {TestHash(1)}});
  return set;
}

void WriteSet(const std::string& path, DependencyFormat format, const std::vector<Function>& set) {
  auto writer = DependencyWriter::Open(path, format);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  for (const Function& f : set) ASSERT_TRUE((*writer)->AddFunction(f.hash, f.name, f.callees).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
}

using EdgeTotals = std::map<std::pair<BlobHash, BlobHash>, std::pair<uint64_t, uint64_t>>;
EdgeTotals Totals(const GraphUpdate& update) {
  EdgeTotals totals;
  for (const EdgeDelta& e : update.edges) {
    totals[{e.caller, e.callee}].first += e.static_count;
    totals[{e.caller, e.callee}].second += e.dynamic_count;
  }
  return totals;
}

EdgeTotals Expected(const std::vector<Function>& set, bool dynamic) {
  EdgeTotals totals;
  for (const Function& f : set) {
    for (const BlobHash& c : f.callees) {
      (dynamic ? totals[{f.hash, c}].second : totals[{f.hash, c}].first) += 1;
    }
  }
  return totals;
}

class DependencyRoundTripTest : public ::testing::TestWithParam<DependencyFormat> {};

TEST_P(DependencyRoundTripTest, LoadGivesOneStaticCountPerCallSite) {
  TempDir dir;
  std::vector<Function> set = SampleSet();
  WriteSet(dir.File("deps"), GetParam(), set);
  auto loaded = LoadDependencies(dir.File("deps"));  // auto-detects
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(Totals(loaded->update), Expected(set, false));
  EXPECT_EQ(loaded->call_sites, 4u + 1 + 70000 + 70000);
  EXPECT_THAT(loaded->update.functions, ::testing::UnorderedElementsAre(TestHash(3), TestHash(4)));
  // Repeats within one caller are summed while loading, in callee order:
  // main's 2,2,3,2 -> one entry for 2 (3 call sites) and one for 3.
  std::vector<EdgeDelta> main_edges;
  for (const EdgeDelta& edge : loaded->update.edges) {
    if (edge.caller == TestHash(1)) main_edges.push_back(edge);
  }
  ASSERT_EQ(main_edges.size(), 2u);
  bool two_first = TestHash(2) < TestHash(3);
  EXPECT_EQ(main_edges[two_first ? 0 : 1].callee, TestHash(2));
  EXPECT_EQ(main_edges[two_first ? 0 : 1].static_count, 3u);
  EXPECT_EQ(main_edges[two_first ? 1 : 0].static_count, 1u);
  // Function 5's 70000 call sites on 7 callees load as 7 edges.
  size_t wide_edges = 0;
  for (const EdgeDelta& edge : loaded->update.edges) wide_edges += edge.caller == TestHash(5);
  EXPECT_EQ(wide_edges, 7u);
  if (GetParam() == DependencyFormat::kCapnp) {
    EXPECT_THAT(loaded->update.names,
                ::testing::ElementsAre(std::pair(TestHash(1), std::string("main")),
                                       std::pair(TestHash(3), std::string("leaf")),
                                       std::pair(TestHash(5), std::string("wide"))));
  } else {
    EXPECT_TRUE(loaded->update.names.empty());  // text carries no names
  }
}

TEST_P(DependencyRoundTripTest, DynamicKindMovesCountsToDynamic) {
  TempDir dir;
  std::vector<Function> set = SampleSet();
  WriteSet(dir.File("deps"), GetParam(), set);
  auto loaded = LoadDependencies(dir.File("deps"), GetParam(), CountKind::kDynamic);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(Totals(loaded->update), Expected(set, true));
}

INSTANTIATE_TEST_SUITE_P(BothFormats, DependencyRoundTripTest,
                         ::testing::Values(DependencyFormat::kText, DependencyFormat::kCapnp),
                         [](const auto& info) {
                           return info.param == DependencyFormat::kText ? "text" : "capnp";
                         });

TEST(DependencyIoTest, TextAndCapnpLoadToTheSameEdges) {
  TempDir dir;
  std::vector<Function> set = SampleSet();
  WriteSet(dir.File("d.txt"), DependencyFormat::kText, set);
  WriteSet(dir.File("d.capnp"), DependencyFormat::kCapnp, set);
  auto text = LoadDependencies(dir.File("d.txt"));
  auto capnp = LoadDependencies(dir.File("d.capnp"));
  ASSERT_TRUE(text.ok() && capnp.ok());
  ASSERT_EQ(text->update.edges.size(), capnp->update.edges.size());
  for (size_t i = 0; i < text->update.edges.size(); ++i) {
    EXPECT_EQ(text->update.edges[i].caller, capnp->update.edges[i].caller);
    EXPECT_EQ(text->update.edges[i].callee, capnp->update.edges[i].callee);
    EXPECT_EQ(text->update.edges[i].static_count, capnp->update.edges[i].static_count);
  }
}

TEST(DependencyIoTest, TextCountsAdd) {
  TempDir dir;
  WriteFile(dir.File("d.txt"), TestHash(1).ToHex() + " " + TestHash(2).ToHex() + " 5\n" +
                                   TestHash(1).ToHex() + " " + TestHash(2).ToHex() + "\n");
  auto loaded = LoadDependencies(dir.File("d.txt"), DependencyFormat::kText);
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->update.edges.size(), 1u);
  EXPECT_EQ(loaded->update.edges[0].static_count, 6u);
  EXPECT_EQ(loaded->update.edges[0].dynamic_count, 0u);
}

TEST(DependencyIoTest, MalformedInputsNameTheirPlace) {
  TempDir dir;
  WriteFile(dir.File("d.txt"), TestHash(1).ToHex() + " " + TestHash(2).ToHex().substr(1) + "\n");
  auto loaded = LoadDependencies(dir.File("d.txt"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("d.txt: line 1: column 66: callee hash"));
  EXPECT_THAT(loaded.status().message(), HasSubstr("has 63 hex digits, expected 64"));

  std::vector<Function> set = SampleSet();
  WriteSet(dir.File("d.capnp"), DependencyFormat::kCapnp, set);
  std::string bytes = ReadFile(dir.File("d.capnp"));
  WriteFile(dir.File("cut.capnp"), bytes.substr(0, bytes.size() - 100));
  loaded = LoadDependencies(dir.File("cut.capnp"), DependencyFormat::kCapnp);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("cut.capnp: message "));

  // A trace stream is not a dependency set.
  loaded = LoadDependencies(dir.File("cut.capnp"), DependencyFormat::kText);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("cut.capnp: line 1"));
  EXPECT_EQ(LoadDependencies("/nonexistent/d.txt").status().code(), Status::Code::kIOError);
}

}  // namespace
}  // namespace blobgraph::formats
