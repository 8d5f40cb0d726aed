#include "tools/cli_test_util.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace blobgraph::tools::testing {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string ShellQuote(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return quoted + "'";
}

}  // namespace

void CliTest::SetUp() {
  char pattern[] = "/tmp/blobgraph-cli-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  dir_ = pattern;
  std::filesystem::create_directory_symlink(BLOBGRAPH_TEST_DATA_DIR, dir_ + "/data");
}

void CliTest::TearDown() {
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

CommandResult CliTest::Shell(const std::string& command_line) const {
  std::string out_path = dir_ + "/.stdout", err_path = dir_ + "/.stderr";
  std::string exe_dir = std::filesystem::path(BLOBGRAPH_EXE).parent_path().string();
  std::string script = "cd " + ShellQuote(dir_) + " && export BLOBGRAPH_DB=" + ShellQuote(db()) +
                       " PATH=" + ShellQuote(exe_dir) + ":\"$PATH\" && (" + command_line + ") >" +
                       ShellQuote(out_path) + " 2>" + ShellQuote(err_path) + " </dev/null";
  int status = std::system(script.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = Slurp(out_path);
  result.err = Slurp(err_path);
  return result;
}

CommandResult CliTest::Run(const std::vector<std::string>& args) const {
  std::string line = ShellQuote(BLOBGRAPH_EXE);
  for (const std::string& arg : args) line += " " + ShellQuote(arg);
  return Shell(line);
}

std::string CliTest::WriteFile(const std::string& name, const std::string& content) const {
  std::string path = dir_ + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string CliTest::ReadFile(const std::string& path) const { return Slurp(path); }

std::string CliTest::Gunzip(const std::string& sample, const std::string& file) const {
  std::string out = dir_ + "/" + sample + "-" + file;
  std::string command =
      "gunzip -c " +
      ShellQuote(std::string(BLOBGRAPH_TEST_DATA_DIR) + "/sample/" + sample + "/" + file + ".gz") +
      " > " + ShellQuote(out);
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return out;
}

std::string CanonicalDump(const std::string& text_export) {
  std::istringstream in(text_export);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

std::string HexOf(uint8_t byte) {
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (int i = 0; i < 32; ++i) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 15];
  }
  return hex;
}

}  // namespace blobgraph::tools::testing
