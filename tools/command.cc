#include "tools/command.h"

#include <cstdio>
#include <cstring>

#include "tools/run_command.h"

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

int RunHelp(const Args&) {
  PrintUsage(stdout);
  return 0;
}

}  // namespace

int Main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return 2;
  }
  if (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    return RunCommand("blobgraph help", RunHelp, {});
  }
  for (const Command& command : Commands()) {
    if (std::strcmp(argv[1], command.name) != 0) continue;
    return RunCommand(std::string("blobgraph ") + command.name, command.run,
                      Args(argv + 2, argv + argc));
  }
  std::fprintf(stderr, "blobgraph: unknown command '%s' (see blobgraph --help)\n", argv[1]);
  return 2;
}

}  // namespace blobgraph::tools
