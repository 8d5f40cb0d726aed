// import --shape-store on the committed fixture stores (data/shape/, made by
// ../shared/data/shbl.py): names and edges of the good store; every
// malformed blob kind reported by path and skipped, or fatal with --strict.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;

std::vector<std::vector<std::string>> ReadColumns(const std::string& path, char separator) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> columns;
    std::istringstream fields(line);
    for (std::string field; std::getline(fields, field, separator);) columns.push_back(field);
    rows.push_back(columns);
  }
  return rows;
}

class ShapeImportTest : public CliTest {};

TEST_F(ShapeImportTest, GoodStoreImportsEveryCallSiteWithNames) {
  CommandResult result = Run({"import", "--shape-store", "data/shape/good"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::map<std::pair<std::string, std::string>, int> sites;
  for (const auto& row :
       ReadColumns(std::string(BLOBGRAPH_TEST_DATA_DIR) + "/shape/good.edges.tsv", ' ')) {
    ++sites[{row[0], row[1]}];
  }
  ASSERT_FALSE(sites.empty());
  for (const auto& [edge, count] : sites) {
    CommandResult callees = Run({"callees", edge.first, "--json"});
    ASSERT_EQ(callees.exit_code, 0);
    EXPECT_THAT(callees.out, HasSubstr("{\"hash\":\"" + edge.second + "\""));
    EXPECT_THAT(callees.out, HasSubstr("\"static\":" + std::to_string(count) + ","));
  }
  for (const auto& row :
       ReadColumns(std::string(BLOBGRAPH_TEST_DATA_DIR) + "/shape/good.names.tsv", '\t')) {
    CommandResult show = Run({"show", row[0], "--depth", "1"});
    ASSERT_EQ(show.exit_code, 0) << show.err;
    EXPECT_THAT(show.out, HasSubstr(row[1]));
  }
}

TEST_F(ShapeImportTest, EveryMalformedBlobIsReportedByPathAndSkipped) {
  CommandResult result = Run({"import", "--shape-store", "data/shape/bad"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const auto& row :
       ReadColumns(std::string(BLOBGRAPH_TEST_DATA_DIR) + "/shape/bad.manifest.tsv", '\t')) {
    const std::string& path = row[0];
    const std::string& defect = row[1];
    if (defect == "ok") {
      EXPECT_EQ(result.err.find(path), std::string::npos) << path;
    } else if (defect == "dangling") {
      EXPECT_THAT(result.err, HasSubstr("dangling"));
    } else {
      EXPECT_THAT(result.err, HasSubstr(path + ":")) << defect;
    }
  }
  EXPECT_EQ(Run({"verify"}).exit_code, 0);
}

TEST_F(ShapeImportTest, StrictMakesAMalformedBlobFatalAndChangesNothing) {
  CommandResult result = Run({"import", "--shape-store", "data/shape/bad", "--strict"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr(".blob"));
  CommandResult stats = Run({"stats"});
  EXPECT_NE(stats.exit_code, 0);  // nothing was created
}

}  // namespace
}  // namespace blobgraph::tools::testing
