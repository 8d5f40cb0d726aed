// ProfileClient::Impl (profile_client.h): the client's event-loop thread,
// its one connection to the server, and Call(), the retry loop every request
// goes through. The requests themselves are in profile_client.cc (queries,
// pull) and profile_client_push.cc (push, retract). Internal to server/.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/compat/tls.h>
#include <kj/debug.h>

#include "blobgraph/profile_client.h"
#include "schema/profile_service.capnp.h"
#include "server/wire.h"

namespace blobgraph::server {

// One live connection with an authenticated session. Loop thread only.
struct Connection {
  explicit Connection(kj::Own<kj::AsyncIoStream> stream_in)
      : stream(kj::mv(stream_in)),
        network(*stream, capnp::rpc::twoparty::Side::CLIENT, RpcReaderOptions()),
        rpc(capnp::makeRpcClient(network)) {
    SendStatusCodes(rpc);
    capnp::word scratch[4] = {};
    capnp::MallocMessageBuilder message(scratch);
    auto server_id = message.initRoot<capnp::rpc::twoparty::VatId>();
    server_id.setSide(capnp::rpc::twoparty::Side::SERVER);
    service = rpc.bootstrap(server_id).castAs<schema::ProfileService>();
  }
  kj::Own<kj::AsyncIoStream> stream;
  capnp::TwoPartyVatNetwork network;
  capnp::RpcSystem<capnp::rpc::twoparty::VatId> rpc;
  schema::ProfileService::Client service = nullptr;
  kj::Maybe<schema::Session::Client> session;
};

struct ProfileClient::Impl {
  ClientOptions options;
  std::string context;  // "server HOST:PORT"
  std::string tls_ca_pem;

  std::thread thread;
  const kj::Executor* executor = nullptr;
  std::mutex call_mutex;  // one call at a time

  // Loop-thread state, reached only inside executeSync.
  kj::AsyncIoContext* io = nullptr;
  kj::TlsContext* tls = nullptr;
  kj::Own<kj::PromiseFulfiller<void>> stop;
  kj::Maybe<kj::Own<Connection>> connection;

  ~Impl();
  // Starts the loop thread (and the TLS context). Calling thread.
  Status Start();
  // Loop thread: the session, connecting and authenticating first if needed.
  // Connection failures come back as DISCONNECTED (retryable); a refused
  // token stays a failure.
  kj::Promise<schema::Session::Client> Session();

  // Runs `op(session)` with retries on connection loss and overload.
  template <typename T, typename Op>
  Result<T> Call(const char* what, Op op, uint32_t* attempts_out = nullptr) {
    std::lock_guard<std::mutex> lock(call_mutex);
    auto backoff = options.retry_backoff;
    std::string where = context + ": " + what;
    for (uint32_t attempt = 1;; ++attempt) {
      if (attempts_out) *attempts_out = attempt;
      kj::Maybe<T> value;
      KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() {
                     value = executor->executeSync([&]() -> kj::Promise<T> {
                       auto timeout =
                           io->provider->getTimer()
                               .afterDelay(options.call_timeout.count() * kj::MILLISECONDS)
                               .then([]() -> T {
                                 kj::throwFatalException(
                                     KJ_EXCEPTION(DISCONNECTED, "call timed out"));
                               });
                       return Session()
                           .then([op](schema::Session::Client session) mutable {
                             return op(session);
                           })
                           .exclusiveJoin(kj::mv(timeout));
                     });
                   })) {
        auto type = exception->getType();
        bool retryable =
            type == kj::Exception::Type::DISCONNECTED || type == kj::Exception::Type::OVERLOADED;
        Status status = schema::StatusFromException(*exception, Status::Code::kIOError, where);
        if (retryable) executor->executeSync([this]() { connection = nullptr; });
        if (!retryable || attempt >= options.max_attempts) return status;
        std::this_thread::sleep_for(backoff);
        backoff *= 2;
        continue;
      }
      KJ_IF_MAYBE (result, value) {
        return kj::mv(*result);
      }
    }
  }
};

}  // namespace blobgraph::server
