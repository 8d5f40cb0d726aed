// ProfileServer: one shared profile store for a build farm, served over
// Cap'n Proto RPC (schema/profile_service.capnp), optionally over TLS.
//
// It owns the GraphStore (opened with synced writes: a push is acknowledged
// only once it is on stable storage) and an Engine over it for prefetch and
// start-set queries. Pushes are applied one at a time by a writer thread, each
// as one atomic GraphStore::Apply carrying its profile id, so a repeated id is
// answered "already applied" and counted once; scans for pulls and statistics
// run on reader threads; callees and prefetch queries are answered on the
// event loop itself, so they never wait behind a write.
//
// Security: with a token file (of at least kMinTokenBytes) every call before
// a correct token is refused; without one the server refuses to listen on an
// address that does not resolve to loopback only, unless `insecure`. Every
// RPC message is read with traversal and nesting limits; a push above
// `max_push_edges` or a byte budget, a chunk above kMaxChunkEntries, a bad
// hash, a wrong token or an authentication past `max_connections` gets an
// error naming the limit and its flag, and the other clients go on.
//
// Threads: Open() and Serve() on the same thread (the main thread when
// handle_signals: signals are captured in Open, before the store starts its
// threads). Stop() and port() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "blobgraph/engine.h"
#include "blobgraph/graph_store.h"
#include "blobgraph/status.h"

namespace blobgraph::server {

inline constexpr uint16_t kDefaultPort = 7979;
// A shorter token is refused at start: it could be guessed.
inline constexpr size_t kMinTokenBytes = 16;

struct ServerOptions {
  std::string db_path = "blobgraph.db";
  std::string listen = "127.0.0.1:7979";  // HOST[:PORT]; port 0 = ephemeral
  std::string token_file;                 // empty: no authentication
  std::string tls_cert_file;              // PEM; both or neither
  std::string tls_key_file;
  bool insecure = false;               // allow a non-loopback bind without a token
  uint64_t max_push_edges = 8u << 20;  // edges (and names, functions) per push
  uint32_t max_connections = 256;      // authenticated connections at once
  // Limits that keep one client from starving the others; each is a serve
  // flag (server/serve_limits.h lists them with their defaults). Pushes are
  // charged at their decoded size (push_budget.h) until applied.
  uint64_t max_push_bytes = 1ull << 30;        // --max-push-bytes: one push (8M edges fit)
  uint64_t max_connection_bytes = 1ull << 30;  // --max-connection-bytes: one connection's pushes
  uint64_t max_pending_bytes = 2ull << 30;     // --max-pending-bytes: all pushes not yet applied
  uint32_t max_open_pushes = 4;                // --max-open-pushes: uncommitted, per connection
  uint64_t max_name_bytes = 64u << 10;         // --max-name-bytes: one function's name
  uint32_t max_unauthenticated = 64;           // --max-unauthenticated: waiting for authenticate
  uint32_t max_unauthenticated_per_host =
      16;  // --max-unauthenticated-per-host: of those, one peer address
  std::chrono::milliseconds auth_timeout{10000};  // --auth-timeout-ms: to authenticate
  uint32_t max_auth_failures = 5;                 // --max-auth-failures: wrong tokens, then dropped
  std::chrono::milliseconds pull_send_timeout{30000};  // --pull-send-timeout-ms: a chunk's wait
  uint32_t reader_threads = 2;
  // On SIGTERM/SIGINT or Stop(): stop accepting, let pushes already begun
  // commit for up to this long, then close the store.
  std::chrono::milliseconds shutdown_grace{10000};
  bool handle_signals = true;  // SIGTERM and SIGINT stop the server
  std::string port_file;       // when set, the bound port is written here once listening
  bool log = true;             // one line per connection and per push, to stderr
  EngineOptions engine;        // for prefetch and start-set queries
};

class ProfileServer {
 public:
  // Validates the options (token file readable and non-empty, TLS files
  // both given and parseable, loopback-only without a token), opens the store
  // and the engine. Errors: kInvalidInput for options, the store's errors.
  static Result<std::unique_ptr<ProfileServer>> Open(const ServerOptions& options);
  ~ProfileServer();
  ProfileServer(const ProfileServer&) = delete;
  ProfileServer& operator=(const ProfileServer&) = delete;

  // Listens and serves until Stop() or a signal; then finishes in-flight
  // pushes, closes connections, flushes and closes the store. Call once.
  // Errors: kIOError when the address cannot be bound.
  Status Serve();

  // Makes Serve() return (after the clean shutdown). Any thread; idempotent.
  void Stop();

  // The bound port once Serve() listens, else 0. Any thread.
  uint16_t port() const { return port_.load(std::memory_order_acquire); }

  GraphStore& store() { return *store_; }

 private:
  struct Impl;
  ProfileServer() = default;

  ServerOptions options_;
  std::string token_;
  std::unique_ptr<GraphStore> store_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Impl> impl_;
  std::atomic<uint16_t> port_{0};
};

}  // namespace blobgraph::server
