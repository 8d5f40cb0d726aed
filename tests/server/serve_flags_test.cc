// blobgraph-server and `blobgraph serve` are one command: the same flags,
// defaults, help and refusals, and both find their store through
// $BLOBGRAPH_DB. Each case runs both real executables.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "server/serve_limits.h"
#include "server_process_util.h"

namespace blobgraph::server::testing {
namespace {

struct Serve {
  std::string name;                  // what its help and messages call it
  std::vector<std::string> command;  // argv before the flags
};

std::vector<Serve> BothServes() {
  return {{"blobgraph-server", {ServerExecutable()}},
          {"blobgraph serve", {BLOBGRAPH_EXE, "serve"}}};
}

// Runs `serve` with `flags`; returns its exit status and, in *output, what
// it printed with its own name replaced by "<program>".
int RunServe(const TempDir& dir, const Serve& serve, const std::vector<std::string>& flags,
             std::string* output) {
  std::string log = dir.File(std::to_string(std::hash<std::string>()(serve.name)) + ".log");
  std::remove(log.c_str());
  std::vector<std::string> argv = serve.command;
  argv.insert(argv.end(), flags.begin(), flags.end());
  int status = RunCommand(argv, log);
  *output = Slurp(log);
  for (size_t at; (at = output->find(serve.name)) != std::string::npos;) {
    output->replace(at, serve.name.size(), "<program>");
  }
  return status;
}

TEST(ServeFlagsTest, BothExecutablesPrintTheSameHelpAndDefaults) {
  TempDir dir;
  std::vector<std::string> helps;
  for (const Serve& serve : BothServes()) {
    std::string help;
    int status = RunServe(dir, serve, {"--help"}, &help);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << serve.name << ": " << help;
    EXPECT_EQ(help.rfind("usage: <program> [--db DIR]", 0), 0u) << help;
    helps.push_back(help);
  }
  EXPECT_EQ(helps[0], helps[1]);
  // The defaults are in the help, so equal helps mean equal defaults.
  EXPECT_NE(helps[0].find("127.0.0.1:7979"), std::string::npos) << helps[0];
  EXPECT_NE(helps[0].find("$BLOBGRAPH_DB"), std::string::npos) << helps[0];
  for (const LimitFlag& limit : ServerLimitFlags()) {
    EXPECT_NE(helps[0].find(std::string("--") + limit.name), std::string::npos) << limit.name;
  }
}

TEST(ServeFlagsTest, BothRefuseABadValueWithTheSameMessage) {
  TempDir dir;
  std::vector<std::string> messages;
  for (const Serve& serve : BothServes()) {
    std::string message;
    int status =
        RunServe(dir, serve, {"--db", dir.File("s.db"), "--max-connections", "0"}, &message);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << serve.name << ": " << message;
    messages.push_back(message);
  }
  EXPECT_EQ(messages[0], messages[1]);
  EXPECT_NE(messages[0].find("<program>: --max-connections 0: too small"), std::string::npos)
      << messages[0];
  EXPECT_FALSE(std::filesystem::exists(dir.File("s.db")));
}

TEST(ServeFlagsTest, BothAcceptEveryServeFlag) {
  TempDir dir;
  // Every flag the serve command has, each with a value other than its default.
  std::vector<std::string> flags = {"--quiet", "--insecure",        "--max-push-edges",
                                    "1000",    "--max-connections", "3"};
  for (const LimitFlag& limit : ServerLimitFlags()) {
    char value[32];
    std::snprintf(value, sizeof(value), limit.seconds ? "%g" : "%.0f", limit.max);
    flags.insert(flags.end(), {std::string("--") + limit.name, value});
  }
  for (const Serve& serve : BothServes()) {
    ServerProcess server(dir.File(serve.command.size() == 1 ? "a.db" : "b.db"),
                         dir.File("flags.log"));
    server.set_command(serve.command);
    std::string error;
    ASSERT_TRUE(server.Start(flags, &error)) << serve.name << ": " << error;
    int status = server.Stop(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << serve.name << ": " << server.Log();
  }
}

TEST(ServeFlagsTest, BothServeTheStoreNamedByBlobgraphDb) {
  TempDir dir;
  for (const Serve& serve : BothServes()) {
    std::string db = dir.File(serve.command.size() == 1 ? "env-a.db" : "env-b.db");
    ASSERT_EQ(setenv("BLOBGRAPH_DB", db.c_str(), 1), 0);
    ServerProcess server("", dir.File("env.log"));  // no --db
    server.set_command(serve.command);
    std::string error;
    bool started = server.Start({"--quiet"}, &error);
    unsetenv("BLOBGRAPH_DB");
    ASSERT_TRUE(started) << serve.name << ": " << error;
    auto client = ProfileClient::Connect(TestClientOptions(server.address()));
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    ASSERT_TRUE((*client)->Push(MakeProfile(1, 3)).ok());
    client->reset();
    int status = server.Stop(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << serve.name << ": " << server.Log();
    // The push is in the store $BLOBGRAPH_DB named, which nothing else could have made.
    StoreOptions read_only;
    read_only.read_only = true;
    auto store = GraphStore::Open(db, read_only);
    ASSERT_TRUE(store.ok()) << serve.name << ": " << store.status().ToString();
    auto callees = (*store)->Callees(MarkerCaller(1));
    ASSERT_TRUE(callees.ok());
    EXPECT_EQ(callees->size(), 1u) << serve.name;
  }
}

}  // namespace
}  // namespace blobgraph::server::testing
