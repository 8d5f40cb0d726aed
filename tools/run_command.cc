#include "tools/run_command.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>

namespace blobgraph::tools {
namespace {

// Every command's printed output ends here: a write error on stdout (a full
// disk behind `> file`, /dev/full, a closed pipe) is an error exit with a
// message, never a silent 0. stdout is closed too, so an error the kernel
// reports only at close is seen as well.
int FinishStdout(const std::string& program, int exit_code) {
  if (exit_code != 0) {
    // Already failed and said why (often this very write error).
    std::fflush(stdout);
    return exit_code;
  }
  errno = 0;
  bool failed = std::fflush(stdout) != 0 || std::ferror(stdout);
  int error = errno;
  if (!failed && std::fclose(stdout) != 0 && errno != EBADF) {
    failed = true;
    error = errno;
  }
  if (!failed) return exit_code;
  std::fprintf(stderr, "%s: <stdout>: write failed: %s\n", program.c_str(),
               error != 0 ? std::strerror(error) : "output error");
  return 1;
}

}  // namespace

int RunCommand(const std::string& program, int (*run)(const Args& args), const Args& args) {
  int exit_code;
  try {
    exit_code = run(args);
  } catch (const std::exception& error) {
    // Option parsing and allocation failures end here, never as a crash.
    std::fprintf(stderr, "%s: %s\n", program.c_str(), error.what());
    exit_code = 2;
  }
  return FinishStdout(program, exit_code);
}

}  // namespace blobgraph::tools
