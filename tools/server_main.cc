// blobgraph-server: the profile server as a standalone daemon. It is
// `blobgraph serve` under its own name (tools/cmd_serve.cc): the same flags,
// defaults ($BLOBGRAPH_DB too) and help. The tests run it as a real process.
#include "tools/command.h"
#include "tools/run_command.h"

int main(int argc, char** argv) {
  using blobgraph::tools::Args;
  return blobgraph::tools::RunCommand(
      "blobgraph-server",
      [](const Args& args) { return blobgraph::tools::RunServeAs("blobgraph-server", args); },
      Args(argv + 1, argv + argc));
}
