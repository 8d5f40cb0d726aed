// `blobgraph pull -o` against a real `blobgraph serve` process: the profile
// it writes, in every format, carries the server store's load records and
// run weight exactly; merged into a fresh store it gives that store a start
// set (once the store keeps merged loads: the layers branch).
#include <gtest/gtest.h>

#include <map>

#include "blobgraph/graph_store.h"
#include "formats/profile_io.h"
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

}  // namespace
}  // namespace blobgraph::tools::testing
