// The blobgraph command's subcommand table and entry point.
//
// Each subcommand lives in its own tools/cmd_<name>.cc and is a function
// from its arguments (after the subcommand's name) to an exit code. main()
// builds nothing itself: each subcommand opens the store it needs and
// passes it down.
#pragma once

#include <string>
#include <vector>

namespace blobgraph::tools {

using Args = std::vector<std::string>;

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const Args& args);
};

// Every subcommand, in the order `blobgraph --help` lists them.
const std::vector<Command>& Commands();

int Main(int argc, char** argv);

// The subcommands (one file each).
int RunImport(const Args& args);
int RunRecord(const Args& args);
int RunExport(const Args& args);
int RunMerge(const Args& args);
int RunStats(const Args& args);
int RunShow(const Args& args);
int RunCallees(const Args& args);
int RunPrefetch(const Args& args);
int RunDecay(const Args& args);
int RunVerify(const Args& args);
int RunReplay(const Args& args);
int RunBench(const Args& args);
int RunServe(const Args& args);
// `serve` under another program name (blobgraph-server's), for help and messages.
int RunServeAs(const std::string& program, const Args& args);
int RunPush(const Args& args);
int RunPull(const Args& args);
int RunProfiles(const Args& args);
int RunRetract(const Args& args);

}  // namespace blobgraph::tools
