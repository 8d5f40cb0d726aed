// `blobgraph pull -o` against a real `blobgraph serve` process: the profile
// it writes, in every format, carries the server store's load records and
// run weight exactly; merged into a fresh store it gives that store a start
// set (once the store keeps merged loads: the layers branch).
#include <gtest/gtest.h>

#include <map>

#include "blobgraph/graph_store.h"
#include "blobgraph/profile_io.h"
#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;
using LoadMap = std::map<BlobHash, std::pair<uint64_t, uint64_t>>;

const std::string kA = HexOf(0xa1), kB = HexOf(0xb2), kC = HexOf(0xc3);

LoadMap Summed(const std::vector<LoadWeights>& loads) {
  LoadMap out;
  for (const LoadWeights& load : loads) {
    out[load.hash].first += load.run_weight;
    out[load.hash].second += load.position_weight;
  }
  return out;
}

// Whether this build's GraphStore::Apply keeps update.loads/run_weight (the
// layers branch adds it): asked of a scratch store, not of the result under
// test, so a store that should keep them and does not still fails the test.
bool StoreKeepsMergedLoads(const std::string& scratch) {
  auto store = GraphStore::Open(scratch);
  if (!store.ok()) return false;
  GraphUpdate update;
  update.loads = {{BlobHash(), LoadRecord::kRunWeight, 0}};
  update.run_weight = LoadRecord::kRunWeight;
  if (!(*store)->Apply(update).ok()) return false;
  auto weight = (*store)->RunWeight();
  return weight.ok() && *weight == LoadRecord::kRunWeight;
}

class PullLoadsCliTest : public CliTest {};

TEST_F(PullLoadsCliTest, PulledProfileCarriesTheServersLoadRecordsInEveryFormat) {
  WriteFile("run1.txt", kA + " " + kB + "\n" + kB + " " + kC + "\n");
  WriteFile("run2.txt", kA + " " + kC + "\n");
  std::string script =
      "set -u\n"
      "blobgraph record -q --trace run1.txt --db srv >/dev/null || exit 91\n"
      "blobgraph record -q --trace run2.txt --db srv >/dev/null || exit 92\n"
      "blobgraph serve --db srv --listen 127.0.0.1:0 --port-file port 2>server.log &\n"
      "server=$!\n"
      "for i in $(seq 300); do [ -s port ] && break; sleep 0.1; done\n"
      "addr=127.0.0.1:$(cat port)\n"
      "for f in text capnp json; do"
      " blobgraph pull -q --server $addr -o pulled.$f --format $f || exit 93; done\n"
      "kill -TERM $server; wait $server || exit 94\n";
  WriteFile("pull.sh", script);
  CommandResult shell = Shell("sh pull.sh");
  ASSERT_EQ(shell.exit_code, 0) << shell.err << ReadFile(dir() + "/server.log");

  LoadMap stored;
  uint64_t stored_weight = 0;
  {
    StoreOptions options;
    options.read_only = true;
    options.create_if_missing = false;
    auto store = GraphStore::Open(dir() + "/srv", options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)
                    ->ForEachLoadRecord([&](const LoadRecord& record) {
                      stored[record.hash] = {record.run_weight, record.position_weight};
                      return Status::Ok();
                    })
                    .ok());
    auto weight = (*store)->RunWeight();
    ASSERT_TRUE(weight.ok());
    stored_weight = *weight;
  }
  ASSERT_EQ(stored_weight, 2 * LoadRecord::kRunWeight);
  ASSERT_FALSE(stored.empty());
  for (const char* format : {"text", "capnp", "json"}) {
    auto read = formats::ReadProfile(dir() + "/pulled." + format);
    ASSERT_TRUE(read.ok()) << format << ": " << read.status().ToString();
    EXPECT_EQ(Summed(read->loads), stored) << format;
    EXPECT_EQ(read->loads.size(), stored.size()) << format;
    EXPECT_EQ(read->run_weight, stored_weight) << format;
  }
  std::string text = ReadFile(dir() + "/pulled.text");
  EXPECT_THAT(text, HasSubstr("\nrun_weight 131072\n"));
  for (const auto& [hash, weights] : stored) {
    EXPECT_THAT(text, HasSubstr("\nload " + hash.ToHex() + " " + std::to_string(weights.first) +
                                " " + std::to_string(weights.second) + "\n"));
  }

  // Merged into a fresh store: its start set comes from the server's runs.
  CommandResult merged = Run({"merge", dir() + "/pulled.capnp", "--db", dir() + "/fresh"});
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  CommandResult stats = Run({"stats", "--json", "--db", dir() + "/fresh"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  if (!StoreKeepsMergedLoads(dir() + "/probe")) {
    GTEST_SKIP() << "GraphStore::Apply does not add update.loads yet (the layers branch does)";
  }
  EXPECT_THAT(stats.out, HasSubstr("\"runs\":2,"));
}

// `blobgraph push FILE` sends the file's load records: a malformed one is
// refused before anything reaches the server; a good one comes back in a
// pull (the server store keeps it once the layers branch is merged).
TEST_F(PullLoadsCliTest, PushOfAProfileFileCarriesItsLoads) {
  std::string head =
      "# blobgraph-profile version=2 id=00112233445566778899aabbccddeeff host=h "
      "created_ms=5\n";
  WriteFile("bad.txt", head + kA + " " + kB + " 0 2\nload " + kA + " 0 65536\n");
  WriteFile("good.txt", head + kA + " " + kB + " 0 2\nload " + kA + " 131072 65536\nload " + kB +
                            " 65536 0\nrun_weight 131072\n");
  std::string script =
      "set -u\n"
      "blobgraph serve --db srv --listen 127.0.0.1:0 --port-file port 2>server.log &\n"
      "server=$!\n"
      "for i in $(seq 300); do [ -s port ] && break; sleep 0.1; done\n"
      "addr=127.0.0.1:$(cat port)\n"
      "blobgraph push --server $addr bad.txt >bad.out 2>bad.err; echo $? > bad.rc\n"
      "blobgraph pull -q --server $addr -o after_bad.txt --format text || exit 93\n"
      "blobgraph push --server $addr good.txt >good.out 2>good.err || exit 94\n"
      "blobgraph pull -q --server $addr -o after_good.txt --format text || exit 95\n"
      "kill -TERM $server; wait $server || exit 96\n";
  WriteFile("push.sh", script);
  CommandResult shell = Shell("sh push.sh");
  ASSERT_EQ(shell.exit_code, 0) << shell.err << ReadFile(dir() + "/server.log")
                                << ReadFile(dir() + "/good.err");
  EXPECT_EQ(ReadFile(dir() + "/bad.rc"), "1\n");
  EXPECT_THAT(ReadFile(dir() + "/bad.err"),
              HasSubstr("bad.txt: line 3: column 73: function " + kA +
                        ": position weight 65536 without a run weight"));
  auto after_bad = formats::ReadProfile(dir() + "/after_bad.txt");
  ASSERT_TRUE(after_bad.ok()) << after_bad.status().ToString();
  EXPECT_TRUE(after_bad->edges.empty());  // nothing of the bad file reached the server
  EXPECT_TRUE(after_bad->loads.empty());
  EXPECT_EQ(after_bad->run_weight, 0u);
  auto after_good = formats::ReadProfile(dir() + "/after_good.txt");
  ASSERT_TRUE(after_good.ok()) << after_good.status().ToString();
  ASSERT_EQ(after_good->edges.size(), 1u);
  EXPECT_EQ(after_good->edges[0].dynamic_count, 2u);
  if (!StoreKeepsMergedLoads(dir() + "/probe")) {
    GTEST_SKIP() << "GraphStore::Apply does not add update.loads yet (the layers branch does)";
  }
  EXPECT_EQ(Summed(after_good->loads),
            (LoadMap{{*BlobHash::Parse(kA), {131072, 65536}}, {*BlobHash::Parse(kB), {65536, 0}}}));
  EXPECT_EQ(after_good->run_weight, 131072u);
}

}  // namespace
}  // namespace blobgraph::tools::testing
