// A hostile client for the server-limit tests: Cap'n Proto RPC driven
// directly, so it can do what ProfileClient never does (stay unauthenticated,
// guess tokens, hold pushes open, stream huge names, stop reading a pull),
// plus helpers to read a process's peak memory.
#pragma once

#include <sys/types.h>

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rpc_error_util.h"
#include "schema/capnp_errors.h"
#include "schema/profile_service.capnp.h"

namespace blobgraph::server::testing {

// One event loop for any number of RawConnections on this thread.
struct RpcLoop {
  RpcLoop() : io(kj::setupAsyncIo()) {}
  kj::AsyncIoContext io;
  kj::WaitScope& wait_scope() { return io.waitScope; }
};

// One RPC connection, not yet authenticated.
class RawConnection {
 public:
  RawConnection(RpcLoop& loop, uint16_t port);
  // "" on success (then session() works), else the error text.
  std::string Authenticate(const std::string& token);
  schema::ProfileService::Client& service() { return service_; }
  schema::Session::Client& session() { return session_; }

  // beginPush for a fresh id; null client and *error set when refused.
  schema::PushSession::Client BeginPush(uint64_t id, const std::string& host, std::string* error);
  // Streams `chunks` addNames chunks of `per_chunk` names of `name_bytes`
  // bytes each (hashes from `seed`); returns the first error seen, or "".
  std::string SendNames(schema::PushSession::Client& push, int chunks, int per_chunk,
                        size_t name_bytes, uint64_t seed);
  // commit with the given declared counts; "" or the error text.
  std::string Commit(schema::PushSession::Client& push, uint64_t edges, uint64_t names);
  // A round trip on the session, so every call sent before was handled.
  void RoundTrip();
  // True when the server closes the connection within `seconds`.
  bool ClosedWithin(double seconds);

  // The error text of `promise`, or "" if it succeeded.
  template <typename P>
  std::string ErrorOf(P&& promise) {
    return testing::ErrorOf(std::forward<P>(promise), loop_.wait_scope());
  }
  RpcLoop& loop() { return loop_; }

 private:
  RpcLoop& loop_;
  kj::Own<kj::AsyncIoStream> stream_;
  capnp::TwoPartyVatNetwork network_;
  capnp::RpcSystem<capnp::rpc::twoparty::VatId> rpc_;
  kj::ForkedPromise<void> disconnected_;
  schema::ProfileService::Client service_ = nullptr;
  schema::Session::Client session_ = nullptr;
};

// A pull receiver that never takes a chunk: every call stays unanswered.
class NeverReadingSink final : public schema::ProfileSink::Server {
 public:
  kj::Promise<void> edges(EdgesContext) override { return kj::NEVER_DONE; }
  kj::Promise<void> names(NamesContext) override { return kj::NEVER_DONE; }
  kj::Promise<void> functions(FunctionsContext) override { return kj::NEVER_DONE; }
};

// VmHWM (peak resident set) and VmRSS of process `pid`, in KiB; 0 if unknown.
uint64_t PeakRssKiB(pid_t pid);
uint64_t RssKiB(pid_t pid);

// Plain TCP connections to 127.0.0.1:port that send nothing, from the
// loopback address `source` (any of 127.0.0.0/8 works on Linux).
int ConnectIdle(uint16_t port, const char* source = "127.0.0.1");
// True when the server closed idle connection `fd` (EOF or reset), without waiting.
bool PeerClosed(int fd);

}  // namespace blobgraph::server::testing
