// Connection slots: unauthenticated connections are capped on their own
// (--max-unauthenticated) and do not count against the authenticated limit
// (--max-connections), so idle or slow peers cannot lock token holders out.
//
// A new connection always gets a slot, from accept on (TLS handshake
// included). When its peer address already has --max-unauthenticated-per-host
// waiting, one of that address's is dropped (so one host cannot displace
// another's); else, when --max-unauthenticated are waiting in all, one
// waiting connection is dropped to make room, the oldest that has sent nothing yet
// (its socket has no unread bytes), else the oldest. A client that sends its
// token right after connecting (as ProfileClient does) has bytes waiting and
// is passed over, while a flood of idle connections only evicts itself; a
// dropped connection can no longer authenticate (busy, so clients retry).
// Each waiting connection is also dropped after --auth-timeout.
// authenticate() moves a connection to the authenticated set, or answers busy
// naming --max-connections when that is full.
//
// Wrong tokens: each failure on a connection is answered after a delay that
// doubles per failure (AuthFailureDelay), and the connection is dropped at
// --max-auth-failures; no token is accepted on it after that.
//
// Loop thread only. Internal to server/.
#pragma once

#include <kj/time.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "blobgraph/status.h"
#include "server/profile_server.h"

namespace blobgraph::server {

struct ConnectionInfo;

class ConnectionSlots {
 public:
  explicit ConnectionSlots(const ServerOptions& options) : options_(options) {}

  // Registers `info` as waiting to authenticate. Returns the connection it
  // displaced (already released and told to drop), or nullptr.
  ConnectionInfo* Admit(ConnectionInfo& info);
  // Moves `info` from waiting to authenticated; kBusy naming the limit and
  // --max-connections when that many are authenticated already.
  Status Authenticate(ConnectionInfo& info);
  // On close or drop. Idempotent.
  void Release(ConnectionInfo& info);

  uint32_t authenticated() const { return authenticated_; }
  uint32_t waiting() const { return static_cast<uint32_t>(waiting_.size()); }

  // Drops are logged in summary, at most once a second, so a flood of idle
  // connections cannot flood the log too: returns how many were dropped
  // since the last summary when one is due now, else 0.
  uint64_t TakeDropsToLog(std::chrono::steady_clock::time_point now);

 private:
  const ServerOptions& options_;
  uint64_t next_sequence_ = 1;
  std::map<uint64_t, ConnectionInfo*> waiting_;  // oldest first
  std::map<std::string, uint32_t> waiting_per_host_;
  uint32_t authenticated_ = 0;
  uint64_t drops_unlogged_ = 0;
  std::chrono::steady_clock::time_point last_drop_log_{};
};

// How long the answer to wrong token number `failures` (1-based) on one
// connection waits: 100 ms, doubled per failure, at most 5 s.
kj::Duration AuthFailureDelay(uint32_t failures);

// How long a dropped connection stays open so its last answer reaches it.
inline constexpr kj::Duration kDropLinger = 200 * kj::MILLISECONDS;

}  // namespace blobgraph::server
