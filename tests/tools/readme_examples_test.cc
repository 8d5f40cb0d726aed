// The README's command-line session really runs: every "$ " line of its
// ```console blocks, in order, in a fresh directory with data/ linked in.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

std::vector<std::string> ReadmeCommands() {
  std::ifstream in(std::string(BLOBGRAPH_SOURCE_DIR) + "/README.md");
  std::vector<std::string> commands;
  bool in_console = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("```", 0) == 0) {
      in_console = !in_console && line == "```console";
      continue;
    }
    if (in_console && line.rfind("$ ", 0) == 0) commands.push_back(line.substr(2));
  }
  return commands;
}

class ReadmeExamplesTest : public CliTest {};

TEST_F(ReadmeExamplesTest, EveryConsoleLineSucceeds) {
  std::vector<std::string> commands = ReadmeCommands();
  ASSERT_GE(commands.size(), 10u) << "README.md lost its console examples";
  for (const std::string& command : commands) {
    CommandResult result = Shell(command);
    EXPECT_EQ(result.exit_code, 0) << "$ " << command << "\n" << result.out << result.err;
  }
  // The session's outputs exist and say what the README says they say.
  EXPECT_NE(ReadFile(dir() + "/difflib.dot").find("digraph"), std::string::npos);
  EXPECT_NE(ReadFile(dir() + "/difflib.profile.txt").find("# blobgraph-profile"),
            std::string::npos);
}

}  // namespace
}  // namespace blobgraph::tools::testing
