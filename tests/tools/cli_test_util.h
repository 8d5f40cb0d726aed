// Running the real blobgraph executable from tests: a temporary working
// directory (with data/ linked in, so the README's relative paths work) and
// a Run() that captures exit code, stdout and stderr.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "blobgraph/blob_hash.h"

namespace blobgraph::tools::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Runs `blobgraph ARGS...` in dir() with BLOBGRAPH_DB=db().
  CommandResult Run(const std::vector<std::string>& args) const;
  // Runs a shell command line in dir() with the build's blobgraph first on PATH.
  CommandResult Shell(const std::string& command_line) const;

  // Writes `content` to dir()/name and returns the full path.
  std::string WriteFile(const std::string& name, const std::string& content) const;
  std::string ReadFile(const std::string& path) const;
  // Decompresses data/sample/<sample>/<file>.gz into dir(); returns the path.
  std::string Gunzip(const std::string& sample, const std::string& file) const;

  const std::string& dir() const { return dir_; }
  std::string db() const { return dir_ + "/blobgraph.db"; }

 private:
  std::string dir_;
};

// The edge and function lines of a text export, sorted: a canonical dump of
// a store's counts and names (the header line carries a fresh id).
std::string CanonicalDump(const std::string& text_export);

// A hash whose every byte is `byte`, in hex.
std::string HexOf(uint8_t byte);

}  // namespace blobgraph::tools::testing
