// The C API's file arguments go through the same input and output code as
// the blobgraph command: gzip content and pipes are read, a truncated gzip is
// refused naming the file with the store unchanged, and an export to a
// missing directory leaves nothing behind.
#include <cstdint>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "blobgraph/c.h"
#include "capi_test_util.h"

namespace blobgraph::capi_test {
namespace {

using ::testing::HasSubstr;

uint64_t Edges(blobgraph_store* store) {
  blobgraph_store_stats stats;
  EXPECT_EQ(blobgraph_store_stats_get(store, &stats), BLOBGRAPH_OK);
  return stats.edges;
}

TEST(CApiInputsTest, GzipAndPipedInputsAreRead) {
  TempDir dir;
  std::string deps = dir.Path("deps.txt");
  std::ofstream(deps) << std::string(64, 'a') << ' ' << std::string(64, 'b') << '\n'
                      << std::string(64, 'a') << ' ' << std::string(64, 'c') << " 3\n";
  ASSERT_EQ(RunCommand("gzip -k " + deps).exit_code, 0);
  blobgraph_store* store = OpenStore(dir.Path("s"));
  uint64_t edges = 0;
  ASSERT_EQ(blobgraph_import_dependencies(store, (deps + ".gz").c_str(), &edges), BLOBGRAPH_OK)
      << blobgraph_last_error();
  EXPECT_EQ(edges, 4u);  // call sites: 1 + 3
  EXPECT_EQ(Edges(store), 2u);

  // A profile exported and read back through a pipe (a FIFO fed by gzip).
  std::string profile = dir.Path("p.capnp");
  ASSERT_EQ(blobgraph_export_profile(store, profile.c_str(), "capnp"), BLOBGRAPH_OK)
      << blobgraph_last_error();
  std::string fifo = dir.Path("fifo");
  ASSERT_EQ(RunCommand("mkfifo " + fifo).exit_code, 0);
  blobgraph_store* copy = OpenStore(dir.Path("copy"));
  FILE* feeder = popen(("gzip -c " + profile + " > " + fifo).c_str(), "w");
  ASSERT_NE(feeder, nullptr);
  EXPECT_EQ(blobgraph_import_profile(copy, fifo.c_str(), 0), BLOBGRAPH_OK)
      << blobgraph_last_error();
  EXPECT_EQ(pclose(feeder), 0);
  EXPECT_EQ(Edges(copy), 2u);
  EXPECT_EQ(blobgraph_store_close(copy), BLOBGRAPH_OK);
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
}

TEST(CApiInputsTest, TruncatedGzipIsRefusedAndChangesNothing) {
  TempDir dir;
  std::string deps = dir.Path("deps.txt");
  {
    std::ofstream out(deps);
    for (int i = 0; i < 200; ++i) {
      char caller[65];
      std::snprintf(caller, sizeof(caller), "%064x", i + 1);
      out << caller << ' ' << std::string(64, 'b') << '\n';
    }
  }
  ASSERT_EQ(
      RunCommand("gzip -c " + deps + " > " + dir.Path("full.gz") + " && head -c $(($(stat -c %s " +
                 dir.Path("full.gz") + ") / 2)) " + dir.Path("full.gz") + " > " + deps + ".gz")
          .exit_code,
      0);
  blobgraph_store* store = OpenStore(dir.Path("s"));
  uint64_t edges = 0;
  EXPECT_EQ(blobgraph_import_dependencies(store, (deps + ".gz").c_str(), &edges),
            BLOBGRAPH_INVALID_INPUT);
  std::string message = blobgraph_last_error();
  EXPECT_THAT(message, HasSubstr(deps + ".gz: offset "));
  EXPECT_THAT(message, HasSubstr("truncated gzip data"));
  EXPECT_EQ(Edges(store), 0u);

  // An export into a directory that does not exist: an error naming the path.
  std::string missing = dir.Path("no/such/p.json");
  EXPECT_EQ(blobgraph_export_profile(store, missing.c_str(), "json"), BLOBGRAPH_IO_ERROR);
  EXPECT_THAT(std::string(blobgraph_last_error()), HasSubstr(missing + ": cannot create"));
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
}

}  // namespace
}  // namespace blobgraph::capi_test
