// Helpers for the server tests: a scratch directory, a real blobgraph-server
// process on 127.0.0.1 with an ephemeral port, a TCP proxy that cuts
// connections at random, and profiles whose effect on the store is exactly
// predictable.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "blobgraph/graph_store.h"
#include "blobgraph/profile_client.h"

namespace blobgraph::server::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The blobgraph-server executable: $BLOBGRAPH_SERVER_EXE, else beside the
// test binary's build directory (build/server/blobgraph-server).
std::string ServerExecutable();

// A blobgraph-server child process. Start() waits (bounded) until it listens.
class ServerProcess {
 public:
  ServerProcess(std::string db_path, std::string log_path)
      : db_(std::move(db_path)), log_(std::move(log_path)) {}
  ~ServerProcess();  // SIGKILLs a server still running

  // Starts with --db (left out for an empty db path: then the server's
  // default, $BLOBGRAPH_DB), --listen 127.0.0.1:0, --port-file and `extra` flags.
  // Returns false (with the log's tail in *error) if it does not listen
  // within 30 s or exits.
  bool Start(const std::vector<std::string>& extra, std::string* error);
  // Sends `signal`, waits (bounded, 30 s) and returns the exit status as
  // from waitpid, or -1 on timeout (then SIGKILLs).
  int Stop(int signal);
  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string Log() const;  // the server's stderr so far
  pid_t pid() const { return pid_; }
  // The command run in place of blobgraph-server, e.g. {BLOBGRAPH_EXE, "serve"}.
  void set_command(std::vector<std::string> command) { command_ = std::move(command); }

 private:
  std::string db_;
  std::string log_;
  std::vector<std::string> command_;  // empty: ServerExecutable()
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// Runs a command (argv) and returns its exit status (waitpid form).
int RunCommand(const std::vector<std::string>& argv, const std::string& log_path);

// A TCP proxy on 127.0.0.1:<port()> forwarding to 127.0.0.1:<target>. With
// cut_probability > 0, each connection is cut (both sides closed) after a
// random number of bytes up to max_bytes_before_cut.
class FaultyProxy {
 public:
  FaultyProxy(uint16_t target_port, double cut_probability, uint64_t max_bytes_before_cut,
              uint64_t seed);
  ~FaultyProxy();
  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  void set_target(uint16_t port) { target_.store(port); }
  uint64_t cuts() const { return cuts_.load(); }

 private:
  void AcceptLoop();
  void Relay(int client, uint64_t budget);

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<uint16_t> target_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> cuts_{0};
  double cut_probability_;
  uint64_t max_bytes_;
  std::mt19937_64 random_;
  std::mutex mutex_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

// A whole file's bytes ("" if it cannot be read).
std::string Slurp(const std::string& path);

// What one `step NAME command...` of a scenario script left in `dir`:
// NAME.rc (-1 if absent), NAME.out and NAME.err.
struct ScenarioStep {
  int rc = -1;
  std::string out, err;
};
ScenarioStep ReadScenarioStep(const TempDir& dir, const std::string& name);

// The unsigned number after "KEY": in a stats --json line (UINT64_MAX if absent).
uint64_t JsonNumber(const std::string& json, const std::string& key);

// The data lines of a text profile or export, sorted: what two exports of
// the same graph share (the '#' header carries a fresh id and time).
std::string CanonicalLines(const std::string& text_export);

// Client options for a test's server: a short retry backoff (tests restart
// and refuse servers on purpose) and a call timeout no healthy call reaches.
ClientOptions TestClientOptions(const std::string& address, const std::string& token = "");

// Deterministic hashes for tests.
BlobHash TestHash(uint64_t a, uint64_t b = 0);

// Profile `index`: `shared_edges` edges among a small shared set of
// functions (dynamic count 1..3 each), plus one marker edge unique to the
// profile (dynamic count 1), so after all pushes each marker's count shows
// how often its profile was applied.
GraphUpdate MakeProfile(uint64_t index, size_t shared_edges);
BlobHash MarkerCaller(uint64_t index);
BlobHash MarkerCallee(uint64_t index);

}  // namespace blobgraph::server::testing
