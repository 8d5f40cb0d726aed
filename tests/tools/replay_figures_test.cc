// The replay figures the README states, on real programs: trained on one run
// (`train`), replayed on another run of the same program on other inputs
// (`test`), with the default settings, each figure to the printed
// precision. data/sample/ are the shipped samples; data/heldout/ are eight
// more standard-library programs traced the same way (data/gen/), kept so
// the defaults are judged on programs they were not chosen on.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

struct Figures {
  const char* program;
  double coverage;
  double waste;
  double coverage_lead10;
  double coverage_lead100;
};

// The number after `"key":` in `json` (the first occurrence after `from`).
double JsonNumberAfter(const std::string& json, const std::string& key,
                       const std::string& from = "") {
  size_t start = from.empty() ? 0 : json.find(from);
  size_t at = json.find("\"" + key + "\":", start == std::string::npos ? 0 : start);
  EXPECT_NE(at, std::string::npos) << key;
  return at == std::string::npos ? -1 : std::stod(json.substr(at + key.size() + 3));
}

class ReplayFiguresTest : public CliTest {
 protected:
  // Imports, records and replays `folder` (data/<folder>); the replay's JSON.
  std::string Replay(const std::string& folder) {
    std::string data = std::string(BLOBGRAPH_TEST_DATA_DIR) + "/" + folder;
    std::string db = dir() + "/" + std::to_string(++stores_) + ".db";
    CommandResult imported =
        Run({"import", "--db", db, "--text", data + "/static.txt", "--names", data + "/names.tsv"});
    EXPECT_EQ(imported.exit_code, 0) << imported.err;
    CommandResult recorded = Run({"record", "--db", db, "--trace", data + "/train.bin.gz"});
    EXPECT_EQ(recorded.exit_code, 0) << recorded.err;
    CommandResult replayed =
        Run({"replay", "--db", db, "--trace", data + "/test.bin.gz", "--json"});
    EXPECT_EQ(replayed.exit_code, 0) << replayed.err;
    return replayed.out;
  }
  // Checks one program's figures; returns its coverage and waste.
  std::pair<double, double> Check(const std::string& folder, const Figures& expected) {
    SCOPED_TRACE(folder);
    std::string json = Replay(folder);
    double coverage = JsonNumberAfter(json, "coverage");
    double waste = JsonNumberAfter(json, "waste");
    EXPECT_NEAR(coverage, expected.coverage, 0.0005) << json;
    EXPECT_NEAR(waste, expected.waste, 0.0005) << json;
    EXPECT_NEAR(JsonNumberAfter(json, "10", "coverage_at_lead"), expected.coverage_lead10, 0.0005);
    EXPECT_NEAR(JsonNumberAfter(json, "100", "coverage_at_lead"), expected.coverage_lead100,
                0.0005);
    return {coverage, waste};
  }

 private:
  int stores_ = 0;
};

TEST_F(ReplayFiguresTest, SamplesReachTheReadmeFigures) {
  const Figures samples[] = {
      {"email", 0.897, 0.167, 0.763, 0.333},
      {"difflib", 0.854, 0.346, 0.439, 0.354},
      {"json", 0.786, 0.000, 0.357, 0.000},
  };
  for (const Figures& f : samples) Check(std::string("sample/") + f.program, f);
}

// The lines of the README's ```json blocks.
std::vector<std::string> ReadmeJsonLines() {
  std::ifstream in(std::string(BLOBGRAPH_SOURCE_DIR) + "/README.md");
  std::vector<std::string> lines;
  bool in_json = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("```", 0) == 0) {
      in_json = !in_json && line == "```json";
      continue;
    }
    if (in_json) lines.push_back(line);
  }
  return lines;
}

// The README's JSON example ("Replay", on email with the defaults) is a
// verbatim part of what the command prints.
TEST_F(ReplayFiguresTest, ReadmeJsonExampleIsPartOfTheEmailReport) {
  std::vector<std::string> lines = ReadmeJsonLines();
  ASSERT_FALSE(lines.empty()) << "README.md lost its JSON example";
  std::string json = Replay("sample/email");
  for (const std::string& line : lines) EXPECT_NE(json.find(line), std::string::npos) << line;
}

TEST_F(ReplayFiguresTest, HeldOutProgramsReachTheReadmeFigures) {
  const Figures programs[] = {
      {"configparser_ini", 0.729, 0.327, 0.375, 0.292}, {"csvtext", 0.667, 0.333, 0.333, 0.178},
      {"htmlparse", 0.632, 0.442, 0.294, 0.221},        {"ipaddr", 0.625, 0.453, 0.304, 0.089},
      {"shlexsplit", 0.875, 0.067, 0.4375, 0.000},      {"statfrac", 0.639, 0.543, 0.331, 0.211},
      {"tomlread", 0.800, 0.030, 0.525, 0.475},         {"urlparse", 0.744, 0.480, 0.221, 0.070},
  };
  double coverage = 0, waste = 0;
  for (const Figures& f : programs) {
    auto [c, w] = Check(std::string("heldout/") + f.program, f);
    coverage += c / std::size(programs);
    waste += w / std::size(programs);
  }
  // The README's mean row.
  EXPECT_NEAR(coverage, 0.714, 0.0005);
  EXPECT_NEAR(waste, 0.334, 0.0005);
}

// scripts/rescore.py (the README's independent scorer) scores the command's
// --decisions to the same figures the command reports.
TEST_F(ReplayFiguresTest, RescoreScriptAgreesWithTheReplayReport) {
  std::string data = std::string(BLOBGRAPH_TEST_DATA_DIR) + "/sample/difflib";
  ASSERT_EQ(Run({"import", "--text", data + "/static.txt"}).exit_code, 0);
  ASSERT_EQ(Run({"record", "--trace", data + "/train.bin.gz"}).exit_code, 0);
  CommandResult replay = Run({"replay", "--trace", data + "/test.bin.gz", "--decisions",
                              "decisions.txt", "--min-lead", "10", "--json"});
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  CommandResult rescored =
      Shell("python3 " + std::string(BLOBGRAPH_SOURCE_DIR) + "/scripts/rescore.py decisions.txt " +
            data + "/test.bin.gz --min-lead 10");
  ASSERT_EQ(rescored.exit_code, 0) << rescored.err;
  for (const char* key : {"cold_loads", "covered", "prefetched", "wasted"}) {
    EXPECT_EQ(JsonNumberAfter(rescored.out, key), JsonNumberAfter(replay.out, key)) << key;
  }
  EXPECT_NEAR(JsonNumberAfter(rescored.out, "coverage"), JsonNumberAfter(replay.out, "coverage"),
              1e-6);
  EXPECT_NEAR(JsonNumberAfter(rescored.out, "waste"), JsonNumberAfter(replay.out, "waste"), 1e-6);
  EXPECT_NEAR(JsonNumberAfter(rescored.out, "10", "coverage_at_lead"),
              JsonNumberAfter(replay.out, "10", "coverage_at_lead"), 1e-6);
}

}  // namespace
}  // namespace blobgraph::tools::testing
