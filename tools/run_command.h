// RunCommand: how every command of the blobgraph executables ends, so
// `blobgraph <command>` and blobgraph-server (which runs `serve` alone)
// exit the same way: an escaped exception becomes a message and exit code 2,
// and a write error on stdout becomes exit code 1. Main thread only.
#pragma once

#include <string>

#include "tools/command.h"

namespace blobgraph::tools {

// Runs `run(args)`; returns its exit code, or 2 after an exception (printed
// as "<program>: <what>"), or 1 when stdout cannot be flushed and closed.
// `program` is what messages start with: "blobgraph import", "blobgraph-server".
int RunCommand(const std::string& program, int (*run)(const Args& args), const Args& args);

}  // namespace blobgraph::tools
