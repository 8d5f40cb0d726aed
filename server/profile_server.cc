#include "server/profile_server.h"
#include "blobgraph/profile_client.h"

#include <netdb.h>
#include <signal.h>
#include <sys/socket.h>

#include <cstdio>
#include <mutex>

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/async-unix.h>
#include <kj/compat/tls.h>
#include <kj/debug.h>

#include "schema/output_file.h"
#include "server/config_files.h"
#include "server/server_core.h"
#include "server/wire.h"

namespace blobgraph::server {
namespace {

constexpr auto kTlsHandshakeTimeout = 10 * kj::SECONDS;

std::string PeerName(kj::AsyncIoStream& stream) {
  struct sockaddr_storage address;
  uint length = sizeof(address);
  KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() {
                 stream.getpeername(reinterpret_cast<struct sockaddr*>(&address), &length);
               })) {
    return "unknown peer";
  }
  char host[NI_MAXHOST], port[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<struct sockaddr*>(&address), length, host, sizeof(host), port,
                  sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return "unknown peer";
  }
  return std::string(host) + ":" + port;
}

// One accepted connection: its stream, the two-party network over it and the
// RPC system serving the bootstrap capability.
struct Connection {
  Connection(kj::Own<kj::AsyncIoStream> stream_in, capnp::Capability::Client bootstrap)
      : stream(kj::mv(stream_in)),
        network(*stream, capnp::rpc::twoparty::Side::SERVER, RpcReaderOptions()),
        rpc(capnp::makeRpcServer(network, kj::mv(bootstrap))) {
    SendStatusCodes(rpc);
  }
  kj::Own<kj::AsyncIoStream> stream;
  capnp::TwoPartyVatNetwork network;
  capnp::RpcSystem<capnp::rpc::twoparty::VatId> rpc;
};

class LoggingErrorHandler final : public kj::TaskSet::ErrorHandler {
 public:
  explicit LoggingErrorHandler(const ServerCore& core) : core_(core) {}
  void taskFailed(kj::Exception&& exception) override {
    core_.Log("connection error: %s", exception.getDescription().cStr());
  }

 private:
  const ServerCore& core_;
};

// The server's TLS context and the keypair it serves (the context refers to
// the keypair, so it is declared second and destroyed first); both null
// without TLS.
struct ServerTls {
  kj::Own<kj::TlsKeypair> keypair;
  kj::Own<kj::TlsContext> context;
};

// REQUIRES: `cert_pem` and `key_pem` parse (Open() checked them), or both empty.
ServerTls NewServerTls(const std::string& cert_pem, const std::string& key_pem) {
  ServerTls tls;
  if (cert_pem.empty()) return tls;
  tls.keypair =
      kj::heap<kj::TlsKeypair>(kj::TlsKeypair{kj::TlsPrivateKey(kj::StringPtr(key_pem.c_str())),
                                              kj::TlsCertificate(kj::StringPtr(cert_pem.c_str()))});
  kj::TlsContext::Options tls_options;
  tls_options.useSystemTrustStore = false;
  tls_options.defaultKeypair = *tls.keypair;
  tls.context = kj::heap<kj::TlsContext>(kj::mv(tls_options));
  return tls;
}

// The address listened on and its listener; the address lives as long.
struct Listening {
  kj::Own<kj::NetworkAddress> address;
  kj::Own<kj::ConnectionReceiver> listener;
};

// Throws (kj) when the address does not resolve or cannot be bound.
Listening Listen(kj::AsyncIoContext& io, const ServerOptions& options, bool has_token) {
  Listening listening;
  listening.address =
      io.provider->getNetwork().parseAddress(options.listen, kDefaultPort).wait(io.waitScope);
  // Open() checked the name; check the address kj resolved too, in case
  // the name resolves differently now.
  KJ_REQUIRE(
      has_token || options.insecure || IsLoopbackAddress(listening.address->toString().cStr()),
      "the address resolved to a non-loopback address and no --token-file is given",
      listening.address->toString());
  listening.listener = listening.address->listen();
  return listening;
}

// An OutputFile writes a temporary and renames it, so a reader never sees a
// half-written number, and a full disk is an error, not an empty file.
void WritePortFile(const std::string& path, uint16_t port) {
  auto port_file = schema::OutputFile::Open(path);
  Status written =
      port_file.ok() ? (*port_file)->Write(std::to_string(port) + "\n") : port_file.status();
  if (written.ok()) written = (*port_file)->Commit();
  KJ_REQUIRE(written.ok(), "cannot write the port file", written.message());
}

}  // namespace

struct ProfileServer::Impl {
  std::string tls_cert_pem;
  std::string tls_key_pem;
  std::mutex stop_mutex;
  bool stop_requested = false;
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> stop_fulfiller;  // while Serve() runs

  // Set up and torn down by Serve(), on its thread.
  ServerCore* core = nullptr;
  kj::Timer* timer = nullptr;
  kj::TlsContext* tls = nullptr;
  kj::TaskSet* connections = nullptr;

  kj::Promise<void> AcceptLoop(kj::ConnectionReceiver& listener);
  kj::Promise<void> HandleConnection(kj::Own<kj::AsyncIoStream> stream);
  kj::Promise<void> RunRpc(kj::Own<kj::AsyncIoStream> stream, std::shared_ptr<ConnectionInfo> info);

  // Serve()'s steps. Returns once Stop() is called (or, with
  // `handle_signals`, on SIGTERM or SIGINT).
  void WaitForStop(kj::AsyncIoContext& io, bool handle_signals);
  // After the listener closed: waits up to `grace` for pushes begun to
  // commit, drops the connections, waits for the jobs still running, and
  // shuts the worker queues down.
  void DrainAndClose(kj::WaitScope& wait_scope, kj::Own<kj::TaskSet> tasks,
                     std::chrono::milliseconds grace);
};

void ProfileServer::Impl::WaitForStop(kj::AsyncIoContext& io, bool handle_signals) {
  auto stop = kj::newPromiseAndCrossThreadFulfiller<void>();
  {
    std::lock_guard<std::mutex> lock(stop_mutex);
    stop_fulfiller = kj::mv(stop.fulfiller);
    if (stop_requested) stop_fulfiller->fulfill();
  }
  kj::Promise<void> stopped = kj::mv(stop.promise);
  if (handle_signals) {
    auto on_signal = [](siginfo_t) {};
    stopped = stopped.exclusiveJoin(io.unixEventPort.onSignal(SIGTERM).then(on_signal))
                  .exclusiveJoin(io.unixEventPort.onSignal(SIGINT).then(on_signal));
  }
  stopped.wait(io.waitScope);
}

void ProfileServer::Impl::DrainAndClose(kj::WaitScope& wait_scope, kj::Own<kj::TaskSet> tasks,
                                        std::chrono::milliseconds grace) {
  core->Log("stopping: %u pushes in progress, %zu commits queued",
            core->counters.pushes_open.load(), core->writer.busy());
  auto deadline = timer->now() + grace.count() * kj::MILLISECONDS;
  while ((core->counters.pushes_open.load() > 0 || core->writer.busy() > 0) &&
         timer->now() < deadline) {
    timer->afterDelay(10 * kj::MILLISECONDS).wait(wait_scope);
  }
  // Let the last acknowledgements reach the wire before closing.
  timer->afterDelay(100 * kj::MILLISECONDS).wait(wait_scope);
  connections = nullptr;
  tasks = nullptr;
  // Pull jobs blocked on a dropped connection now fail; wait for them while
  // the loop still runs, since they finish through it.
  auto reader_deadline = timer->now() + 5 * kj::SECONDS;
  while ((core->readers.busy() > 0 || core->writer.busy() > 0) && timer->now() < reader_deadline) {
    timer->afterDelay(10 * kj::MILLISECONDS).wait(wait_scope);
  }
  {
    std::lock_guard<std::mutex> lock(stop_mutex);
    stop_fulfiller = nullptr;
  }
  core->writer.Shutdown();
  core->readers.Shutdown();
  core->Log("stopped: %llu pushes applied, %llu already applied, %llu failed, %llu edges",
            (unsigned long long)core->counters.pushes_applied.load(),
            (unsigned long long)core->counters.pushes_duplicate.load(),
            (unsigned long long)core->counters.pushes_failed.load(),
            (unsigned long long)core->counters.edges_applied.load());
}

kj::Promise<void> ProfileServer::Impl::AcceptLoop(kj::ConnectionReceiver& listener) {
  return listener.accept().then(
      [this, &listener](kj::Own<kj::AsyncIoStream> stream) {
        connections->add(HandleConnection(kj::mv(stream)));
        return AcceptLoop(listener);
      },
      [this, &listener](kj::Exception&& exception) {
        // Typically EMFILE: back off instead of spinning, then keep serving.
        core->Log("accept failed: %s", exception.getDescription().cStr());
        return timer->afterDelay(100 * kj::MILLISECONDS).then([this, &listener]() {
          return AcceptLoop(listener);
        });
      });
}

kj::Promise<void> ProfileServer::Impl::HandleConnection(kj::Own<kj::AsyncIoStream> stream) {
  ServerCore& core = *this->core;
  kj::Timer& timer = *this->timer;
  core.counters.connections_total.fetch_add(1);
  core.counters.connections_open.fetch_add(1);
  auto info = std::make_shared<ConnectionInfo>();
  info->peer = PeerName(*stream);
  info->peer_host = info->peer.substr(0, info->peer.rfind(':'));
  KJ_IF_MAYBE (fd, stream->getFd()) {
    info->fd = *fd;
  }
  // From accept on, TLS handshake included, a connection holds a waiting
  // slot until it authenticates (connection_limits.h).
  auto drop = kj::newPromiseAndFulfiller<kj::Duration>();
  info->drop = kj::mv(drop.fulfiller);
  if (ConnectionInfo* displaced = core.slots.Admit(*info)) {
    if (uint64_t drops = core.slots.TakeDropsToLog(std::chrono::steady_clock::now())) {
      core.Log(
          "dropped %llu connections waiting to authenticate (the last from %s): %u waiting, "
          "the limit (--max-unauthenticated %u); newer ones take their places",
          (unsigned long long)drops, displaced->peer.c_str(), core.slots.waiting(),
          core.options.max_unauthenticated);
    }
  }
  kj::Promise<void> ends =
      drop.promise.then([&timer](kj::Duration linger) { return timer.afterDelay(linger); });
  const auto auth_timeout = core.options.auth_timeout;
  ends = ends.exclusiveJoin(
      timer.afterDelay(auth_timeout.count() * kj::MILLISECONDS)
          .then([&core, info, auth_timeout]() -> kj::Promise<void> {
            if (info->authenticated) return kj::NEVER_DONE;
            core.Log("connection from %s dropped: not authenticated within %.3g s (--auth-timeout)",
                     info->peer.c_str(), auth_timeout.count() / 1000.0);
            return kj::READY_NOW;
          }));
  auto closed = kj::defer([&core, info]() {
    core.slots.Release(*info);
    core.counters.connections_open.fetch_sub(1);
    // Displaced ones are counted in the summary above, not logged one by one.
    if (info->slot == ConnectionInfo::Slot::kDisplaced) return;
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - info->opened).count();
    core.Log("connection from %s closed after %.2f s: %s, %llu pushes, %llu edges, %llu queries",
             info->peer.c_str(), seconds,
             info->authenticated ? "authenticated" : "not authenticated",
             (unsigned long long)info->pushes, (unsigned long long)info->edges_pushed,
             (unsigned long long)info->queries);
  });
  kj::Promise<void> served = nullptr;
  if (tls == nullptr) {
    served = RunRpc(kj::mv(stream), info);
  } else {
    auto handshake = timer.timeoutAfter(kTlsHandshakeTimeout, tls->wrapServer(kj::mv(stream)));
    served = handshake.then(
        [this, info](kj::Own<kj::AsyncIoStream> secure) { return RunRpc(kj::mv(secure), info); },
        [&core, info](kj::Exception&& exception) {
          core.Log("connection from %s: TLS handshake failed: %s", info->peer.c_str(),
                   exception.getDescription().cStr());
        });
  }
  return served.exclusiveJoin(kj::mv(ends)).attach(kj::mv(closed));
}

kj::Promise<void> ProfileServer::Impl::RunRpc(kj::Own<kj::AsyncIoStream> stream,
                                              std::shared_ptr<ConnectionInfo> info) {
  auto connection = kj::heap<Connection>(kj::mv(stream), NewProfileService(*core, std::move(info)));
  kj::Promise<void> done = connection->network.onDisconnect();
  return done.attach(kj::mv(connection));
}

Result<std::unique_ptr<ProfileServer>> ProfileServer::Open(const ServerOptions& options) {
  std::unique_ptr<ProfileServer> server(new ProfileServer());
  server->options_ = options;
  server->impl_ = std::make_unique<Impl>();
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return Status::InvalidInput("serve: --tls-cert and --tls-key go together");
  }
  if (!options.tls_cert_file.empty()) {
    auto cert = ReadSmallFile(options.tls_cert_file);
    if (!cert.ok()) return cert.status();
    auto key = ReadSmallFile(options.tls_key_file);
    if (!key.ok()) return key.status();
    // Parse now, so a bad file fails at start and not at the first connection.
    KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() {
                   kj::TlsCertificate parsed_cert(kj::StringPtr(cert->c_str()));
                   kj::TlsPrivateKey parsed_key(kj::StringPtr(key->c_str()));
                 })) {
      return Status::InvalidInput(
          options.tls_cert_file + ", " + options.tls_key_file +
          ": not a PEM certificate and key: " + exception->getDescription().cStr());
    }
    server->impl_->tls_cert_pem = std::move(*cert);
    server->impl_->tls_key_pem = std::move(*key);
  }
  if (!options.token_file.empty()) {
    auto token = ReadTokenFile(options.token_file);
    if (!token.ok()) return token.status();
    if (token->size() < kMinTokenBytes) {
      return Status::InvalidInput(options.token_file + ": the token has " +
                                  std::to_string(token->size()) + " bytes, at least " +
                                  std::to_string(kMinTokenBytes) +
                                  " are needed so it cannot be guessed (make one with: "
                                  "head -c 32 /dev/urandom | base64)");
    }
    server->token_ = std::move(*token);
  } else if (!options.insecure && !IsLoopbackAddress(options.listen)) {
    return Status::InvalidInput("serve: " + options.listen +
                                " is not a loopback address (it must resolve to 127.0.0.0/8 or ::1 "
                                "only) and no --token-file is given; pass --insecure to serve it "
                                "without authentication");
  }
  if (options.handle_signals) {
    // Before the store and engine start threads, so they inherit the mask and
    // only the event loop's thread takes these signals.
    kj::UnixEventPort::captureSignal(SIGTERM);
    kj::UnixEventPort::captureSignal(SIGINT);
  }
  StoreOptions store_options;
  store_options.sync_writes = true;  // a push is acknowledged only once on stable storage
  auto store = GraphStore::Open(options.db_path, store_options);
  if (!store.ok()) return store.status();
  server->store_ = std::move(*store);
  auto engine = Engine::Open(server->store_.get(), options.engine);
  if (!engine.ok()) return engine.status();
  server->engine_ = std::move(*engine);
  return server;
}

ProfileServer::~ProfileServer() = default;

void ProfileServer::Stop() {
  std::lock_guard<std::mutex> lock(impl_->stop_mutex);
  impl_->stop_requested = true;
  if (impl_->stop_fulfiller) impl_->stop_fulfiller->fulfill();
}

Status ProfileServer::Serve() {
  if (!store_) return Status::InvalidInput("serve: the server was already stopped");
  std::string failure;
  KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() {
                 auto io = kj::setupAsyncIo();
                 kj::Timer& timer = io.provider->getTimer();
                 ServerCore core(options_, token_, store_.get(), engine_.get());
                 core.loop_executor = &kj::getCurrentThreadExecutor();
                 core.timer = &timer;
                 impl_->core = &core;
                 impl_->timer = &timer;
                 ServerTls tls = NewServerTls(impl_->tls_cert_pem, impl_->tls_key_pem);
                 impl_->tls = tls.context.get();

                 Listening listening = Listen(io, options_, !token_.empty());
                 port_.store(static_cast<uint16_t>(listening.listener->getPort()),
                             std::memory_order_release);
                 if (!options_.port_file.empty()) WritePortFile(options_.port_file, port());
                 core.Log("listening on %s port %u (%s, %s), store %s",
                          listening.address->toString().cStr(), static_cast<unsigned>(port()),
                          impl_->tls ? "TLS" : "no TLS",
                          token_.empty() ? "no token" : "token required", options_.db_path.c_str());

                 LoggingErrorHandler error_handler(core);
                 auto connections = kj::heap<kj::TaskSet>(error_handler);
                 impl_->connections = connections.get();
                 kj::Promise<void> accepting = impl_->AcceptLoop(*listening.listener);
                 impl_->WaitForStop(io, options_.handle_signals);

                 // Clean shutdown: no new connections or pushes; pushes already begun may
                 // commit within the grace period; then drop the connections.
                 core.stopping.store(true);
                 accepting = nullptr;
                 listening.listener = nullptr;
                 impl_->DrainAndClose(io.waitScope, kj::mv(connections), options_.shutdown_grace);
                 impl_->core = nullptr;
                 impl_->tls = nullptr;
               })) {
    failure = exception->getDescription().cStr();
  }
  // Close the engine (it flushes) before the store, then the store.
  engine_.reset();
  Status flushed = store_->Flush();
  store_.reset();
  if (!failure.empty()) return Status::IOError("serve: " + options_.listen + ": " + failure);
  return flushed;
}

}  // namespace blobgraph::server
