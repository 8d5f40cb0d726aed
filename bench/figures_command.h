// The figures command (`blobgraph bench`), run by the blobgraph-bench
// executable (bench/figures_main.cc).
#pragma once

#include "tools/command.h"

namespace blobgraph::bench {

int RunFigures(const tools::Args& args);

}  // namespace blobgraph::bench
