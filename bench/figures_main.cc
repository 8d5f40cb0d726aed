// blobgraph-bench: the figures command. `blobgraph bench ARGS` runs this
// executable from beside itself (tools/cmd_bench.cc), so `blobgraph bench`
// exists where the benchmarks were built.
#include "bench/figures_command.h"
#include "tools/run_command.h"

int main(int argc, char** argv) {
  return blobgraph::tools::RunCommand("blobgraph bench", blobgraph::bench::RunFigures,
                                      blobgraph::tools::Args(argv + 1, argv + argc));
}
