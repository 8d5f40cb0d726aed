// ServerCore: what every connection of a ProfileServer shares (the store,
// the engine, the worker queues, counters, the shutdown flag), and the
// factory of per-connection bootstrap capabilities.
//
// Owned by ProfileServer::Impl; lives on the event-loop thread, except the
// atomics and the queues, which workers touch. Internal to server/.
#pragma once

#include <capnp/capability.h>
#include <kj/async.h>
#include <kj/timer.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "blobgraph/engine.h"
#include "blobgraph/graph_store.h"
#include "server/connection_limits.h"
#include "server/profile_server.h"
#include "server/push_budget.h"
#include "server/work_queue.h"

namespace blobgraph::server {

struct ServerCounters {
  std::atomic<uint64_t> pushes_applied{0};
  std::atomic<uint64_t> pushes_duplicate{0};
  std::atomic<uint64_t> pushes_failed{0};
  std::atomic<uint64_t> edges_applied{0};
  std::atomic<uint64_t> connections_total{0};
  std::atomic<uint32_t> connections_open{0};
  std::atomic<uint32_t> pushes_open{0};         // push sessions begun, not yet committed or dropped
  std::atomic<uint64_t> pending_push_bytes{0};  // --max-pending-bytes budget (push_budget.h)
};

// Per-connection tallies for the connection's log line. Loop thread only.
struct ConnectionInfo {
  std::string peer;
  std::chrono::steady_clock::time_point opened = std::chrono::steady_clock::now();
  uint64_t pushes = 0;
  uint64_t edges_pushed = 0;
  uint64_t queries = 0;
  bool authenticated = false;

  // Limits (connection_limits.h, push_budget.h).
  // kDisplaced: dropped for a newer waiting connection; never authenticates.
  enum class Slot { kNone, kWaiting, kAuthenticated, kDisplaced } slot = Slot::kNone;
  uint64_t slot_sequence = 0;
  int fd = -1;            // the socket, to see whether a waiting peer has sent anything
  std::string peer_host;  // the peer's address without the port, for per-host slots
  uint32_t auth_failures = 0;
  std::shared_ptr<ConnectionPushes> push_budget = std::make_shared<ConnectionPushes>();
  kj::Own<kj::PromiseFulfiller<kj::Duration>> drop;  // set by the server's RunRpc
  // Closes the connection after `linger` (so a last answer can reach it).
  void Drop(kj::Duration linger) {
    if (drop && drop->isWaiting()) drop->fulfill(kj::cp(linger));
  }
};

struct ServerCore {
  ServerCore(const ServerOptions& options, std::string token, GraphStore* store, Engine* engine)
      : options(options),
        token(std::move(token)),
        store(store),
        engine(engine),
        writer("bg-writer", 1),
        readers("bg-reader", options.reader_threads ? options.reader_threads : 1),
        slots(options) {}

  const ServerOptions& options;
  const std::string token;  // empty: no authentication
  GraphStore* const store;
  Engine* const engine;
  WorkQueue writer;   // one thread: pushes are applied strictly one at a time
  WorkQueue readers;  // pulls and statistics
  ServerCounters counters;
  std::atomic<bool> stopping{false};
  const kj::Executor* loop_executor = nullptr;  // set by Serve()
  kj::Timer* timer = nullptr;                   // the loop's; set by Serve()
  ConnectionSlots slots;                        // loop thread only
  const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  // printf-style, one line to stderr (with a trailing newline), when logging.
  // The formatted line is escaped (EscapeForTerminal), so a peer's host,
  // name or message cannot forge a line or drive the operator's terminal.
  void Log(const char* format, ...) const __attribute__((format(printf, 2, 3)));
};

// Milliseconds from `start` to now, for log lines.
inline double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// The bootstrap capability for one connection: authenticate() -> Session.
// REQUIRES: `core` outlives the connection's RPC system.
capnp::Capability::Client NewProfileService(ServerCore& core, std::shared_ptr<ConnectionInfo> info);

// True when `a` and `b` are equal; the time taken depends only on b's length.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace blobgraph::server
