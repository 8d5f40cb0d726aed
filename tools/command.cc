#include "tools/command.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>

namespace blobgraph::tools {

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"import", "add edges from dependency text, Cap'n Proto or a Shape blob store", RunImport},
      {"record", "add a call trace's calls as dynamic counts (and its load order)", RunRecord},
      {"export", "write the whole graph as a profile (capnp, text or json)", RunExport},
      {"merge", "add profiles exported elsewhere; each profile id only once", RunMerge},
      {"profiles", "the merged profiles: id, host, times, edges, merged or retracted", RunProfiles},
      {"retract", "take back a merged profile exactly, once (given its file)", RunRetract},
      {"stats", "functions, edges, counts, bytes on disk, hottest functions", RunStats},
      {"show", "a function's neighbourhood as a tree, or Graphviz with --dot", RunShow},
      {"callees", "a function's callees with counts and probabilities", RunCallees},
      {"prefetch", "the engine's prefetch walk from a function", RunPrefetch},
      {"decay", "age the profile: scale dynamic counts, drop faded edges", RunDecay},
      {"verify", "read every record and check the store's invariants", RunVerify},
      {"replay", "replay a recorded run against the store and score prefetch", RunReplay},
      {"bench", "prefetch, record and warm-start figures, ours vs the reference", RunBench},
      {"serve", "serve the store to a build farm over Cap'n Proto RPC", RunServe},
      {"push", "send profiles to a profile server (each applied exactly once)", RunPush},
      {"pull", "fetch a profile server's merged graph or its hot part", RunPull},
  };
  return commands;
}

namespace {

void PrintUsage(FILE* out) {
  std::fprintf(out,
               "blobgraph: a persistent call-probability graph for speculative prefetch\n\n"
               "usage: blobgraph <command> [options]   (blobgraph <command> --help)\n\n"
               "commands:\n");
  for (const Command& command : Commands()) {
    std::fprintf(out, "  %-9s %s\n", command.name, command.summary);
  }
  std::fprintf(out,
               "\nEvery command takes --db DIR (default: $BLOBGRAPH_DB, else ./blobgraph.db).\n");
}

// Every command's printed output ends here: a write error on stdout (a full
// disk behind `> file`, /dev/full, a closed pipe) is an error exit with a
// message, never a silent 0. stdout is closed too, so an error the kernel
// reports only at close is seen as well.
int FinishStdout(const char* command, int exit_code) {
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
  std::fprintf(stderr, "blobgraph %s: <stdout>: write failed: %s\n", command,
               error != 0 ? std::strerror(error) : "output error");
  return 1;
}

}  // namespace

int Main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    PrintUsage(argc < 2 ? stderr : stdout);
    return FinishStdout("help", argc < 2 ? 2 : 0);
  }
  for (const Command& command : Commands()) {
    if (std::strcmp(argv[1], command.name) != 0) continue;
    Args args(argv + 2, argv + argc);
    int exit_code;
    try {
      exit_code = command.run(args);
    } catch (const std::exception& error) {
      // Option parsing and allocation failures end here, never as a crash.
      std::fprintf(stderr, "blobgraph %s: %s\n", command.name, error.what());
      exit_code = 2;
    }
    return FinishStdout(command.name, exit_code);
  }
  std::fprintf(stderr, "blobgraph: unknown command '%s' (see blobgraph --help)\n", argv[1]);
  return 2;
}

}  // namespace blobgraph::tools
