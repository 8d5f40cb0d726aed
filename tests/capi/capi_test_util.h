// Helpers for the C API tests: temporary directories, running a command and
// capturing its output, the sample data, and reading "key   value" reports.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "blobgraph/c.h"

namespace blobgraph::capi_test {

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "blobgraph-capi-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string Path(const std::string& name = "") const {
    return name.empty() ? path_ : path_ + "/" + name;
  }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `command` with /bin/sh, capturing stdout and stderr.
// An engine with no background refresh or flush (tests drive both), or null
// after a failed expectation.
// Opens the store at `path` (read-only if asked) or fails the current test.
inline blobgraph_store* OpenStore(const std::string& path, bool read_only = false) {
  blobgraph_store_options options;
  EXPECT_EQ(blobgraph_store_options_init(&options), BLOBGRAPH_OK);
  options.read_only = read_only ? 1 : 0;
  blobgraph_store* store = nullptr;
  EXPECT_EQ(blobgraph_store_open(path.c_str(), &options, &store), BLOBGRAPH_OK)
      << blobgraph_last_error();
  return store;
}

inline blobgraph_engine* OpenQuietEngine(blobgraph_store* store) {
  blobgraph_engine_options options;
  EXPECT_EQ(blobgraph_engine_options_init(&options), BLOBGRAPH_OK);
  options.refresh_interval_ms = 0;
  options.flush_interval_ms = 0;
  blobgraph_engine* engine = nullptr;
  EXPECT_EQ(blobgraph_engine_open(store, &options, &engine), BLOBGRAPH_OK)
      << blobgraph_last_error();
  return engine;
}

inline CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t got;
  while ((got = fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, got);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline std::string Quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return quoted + "'";
}

inline std::string SampleFile(const std::string& sample, const std::string& name) {
  return std::string(BLOBGRAPH_TEST_DATA_DIR) + "/sample/" + sample + "/" + name;
}

// Decompresses sample/<sample>/<name>.gz into `dir`; returns the new path.
inline std::string GunzipSample(const TempDir& dir, const std::string& sample,
                                const std::string& name) {
  std::string out = dir.Path(sample + "-" + name);
  CommandResult r =
      RunCommand("gzip -dc " + Quote(SampleFile(sample, name + ".gz")) + " > " + Quote(out));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return out;
}

// Lines "key<2+ spaces>value" (the examples' report format) as a map.
inline std::map<std::string, std::string> ParseReport(const std::string& text) {
  std::map<std::string, std::string> fields;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    size_t gap = line.find("  ");
    if (gap == std::string::npos) continue;
    size_t value = line.find_first_not_of(' ', gap);
    if (value == std::string::npos) continue;
    fields[line.substr(0, gap)] = line.substr(value);
  }
  return fields;
}

// The number after "\"key\":" in a flat JSON document, as text; "" if absent.
inline std::string JsonField(const std::string& json, const std::string& key) {
  std::string needle = "\"" + key + "\":";
  size_t at = json.find(needle);
  if (at == std::string::npos) return "";
  size_t begin = at + needle.size();
  size_t end = json.find_first_of(",}", begin);
  return json.substr(begin, end - begin);
}

}  // namespace blobgraph::capi_test
