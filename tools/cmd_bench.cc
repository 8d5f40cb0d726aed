// blobgraph bench: runs blobgraph-bench, the figures command built with the
// benchmarks (bench/figures_command.cc), from the directory this executable
// is in, with the same arguments. The CLI does not link the benchmark
// library; without the benchmarks built, the command says how to get them.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tools/command.h"

namespace blobgraph::tools {
namespace {

// The directory of the running executable ("" if /proc/self/exe is unreadable).
std::string ExecutableDirectory() {
  std::vector<char> path(4096);
  ssize_t length = readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (length <= 0) return "";
  std::string self(path.data(), static_cast<size_t>(length));
  size_t slash = self.rfind('/');
  return slash == std::string::npos ? "" : self.substr(0, slash);
}

}  // namespace

int RunBench(const Args& args) {
  std::string figures = ExecutableDirectory() + "/blobgraph-bench";
  if (access(figures.c_str(), X_OK) != 0) {
    std::fprintf(stderr,
                 "blobgraph bench: %s: %s; the figures command is built with the benchmarks "
                 "(cmake -DBLOBGRAPH_BUILD_BENCH=ON, the default) and installed beside "
                 "blobgraph\n",
                 figures.c_str(), std::strerror(errno));
    return 1;
  }
  std::vector<char*> argv;
  std::string name = "blobgraph-bench";
  argv.push_back(name.data());
  std::vector<std::string> copies(args.begin(), args.end());
  for (std::string& arg : copies) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  execv(figures.c_str(), argv.data());
  std::fprintf(stderr, "blobgraph bench: running %s: %s\n", figures.c_str(), std::strerror(errno));
  return 1;
}

}  // namespace blobgraph::tools
