#include "blobgraph/profile_client.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include <capnp/message.h>
#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/compat/tls.h>
#include <kj/debug.h>

#include "server/config_files.h"
#include "server/profile_server.h"
#include "server/wire.h"

namespace blobgraph::server {
namespace {

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

// Starts a push or a retraction; std::nullopt when the server answers that
// nothing needs sending (applied, or retracted, before).
kj::Promise<std::optional<schema::PushSession::Client>> BeginSend(schema::Session::Client& session,
                                                                  const ProfileInfo& profile,
                                                                  bool retract) {
  using Begun = std::optional<schema::PushSession::Client>;
  if (retract) {
    auto begin = session.beginRetractRequest();
    EncodeIdentity(profile, begin.initProfile());
    return begin.send().then([](auto response) -> Begun {
      if (response.getAlreadyRetracted()) return std::nullopt;
      return response.getRetraction();
    });
  }
  auto begin = session.beginPushRequest();
  EncodeIdentity(profile, begin.initProfile());
  return begin.send().then([](auto response) -> Begun {
    if (response.getAlreadyApplied()) return std::nullopt;
    return response.getPush();
  });
}

// Receives a pull's chunks into an update shared with the pull call.
class SinkImpl final : public schema::ProfileSink::Server {
 public:
  explicit SinkImpl(std::shared_ptr<GraphUpdate> out) : out_(std::move(out)) {}
  kj::Promise<void> edges(EdgesContext context) override {
    DecodeEdges(context.getParams().getEdges(), "pull: edges", &out_->edges);
    return kj::READY_NOW;
  }
  kj::Promise<void> names(NamesContext context) override {
    DecodeNames(context.getParams().getNames(), "pull: names", &out_->names);
    return kj::READY_NOW;
  }
  kj::Promise<void> functions(FunctionsContext context) override {
    DecodeHashes(context.getParams().getFunctions(), "pull: functions", &out_->functions);
    return kj::READY_NOW;
  }
  kj::Promise<void> loads(LoadsContext context) override {
    DecodeLoads(context.getParams().getLoads(), "pull: loads", &out_->loads);
    return kj::READY_NOW;
  }

 private:
  std::shared_ptr<GraphUpdate> out_;
};

// Streams `items` in chunks of `chunk` entries, one streaming call at a time
// as flow control admits it. `items` must outlive the promise.
template <typename T, typename Send>
kj::Promise<void> StreamChunks(std::span<const T> items, size_t chunk, Send send) {
  if (items.empty()) return kj::READY_NOW;
  size_t count = std::min(chunk, items.size());
  return send(items.first(count)).then([items, chunk, count, send]() mutable {
    return StreamChunks(items.subspan(count), chunk, send);
  });
}

}  // namespace

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

  ~Impl() {
    if (executor != nullptr) {
      executor->executeSync([this]() {
        connection = nullptr;
        stop->fulfill();
      });
    }
    if (thread.joinable()) thread.join();
  }

  Status Start() {
    std::mutex mutex;
    std::condition_variable ready;
    std::string failure;
    bool done = false;
    thread = std::thread([&, this]() {
      KJ_IF_MAYBE(exception, kj::runCatchingExceptions([&]() {
        auto async_io = kj::setupAsyncIo();
        kj::Vector<kj::TlsCertificate> trusted;
        kj::Maybe<kj::Own<kj::TlsContext>> tls_context;
        if (options.tls.enabled) {
          kj::TlsContext::Options tls_options;
          if (!tls_ca_pem.empty()) {
            trusted.add(kj::TlsCertificate(kj::StringPtr(tls_ca_pem.c_str())));
            tls_options.useSystemTrustStore = false;
            tls_options.trustedCertificates = trusted.asPtr();
          }
          tls = tls_context.emplace(kj::heap<kj::TlsContext>(kj::mv(tls_options))).get();
        }
        auto paf = kj::newPromiseAndFulfiller<void>();
        io = &async_io;
        stop = kj::mv(paf.fulfiller);
        {
          std::lock_guard<std::mutex> lock(mutex);
          executor = &kj::getCurrentThreadExecutor();
          done = true;
        }
        ready.notify_one();
        paf.promise.wait(async_io.waitScope);
        connection = nullptr;
      })) {
        std::lock_guard<std::mutex> lock(mutex);
        failure = exception->getDescription().cStr();
        done = true;
        ready.notify_one();
      }
    });
    std::unique_lock<std::mutex> lock(mutex);
    ready.wait(lock, [&] { return done; });
    if (!failure.empty()) {
      lock.unlock();
      thread.join();
      return Status::InvalidInput(context + ": TLS setup: " + failure);
    }
    return Status::Ok();
  }

  // Loop thread: the session, connecting and authenticating first if needed.
  // Connection failures come back as DISCONNECTED (retryable); a refused
  // token stays a failure.
  kj::Promise<schema::Session::Client> Session() {
    KJ_IF_MAYBE(live, connection) {
      KJ_IF_MAYBE(session, (*live)->session) { return *session; }
    }
    connection = nullptr;
    auto& network = io->provider->getNetwork();
    return network.parseAddress(options.address, kDefaultPort)
        .then([](kj::Own<kj::NetworkAddress> address) {
          return address->connect().attach(kj::mv(address));
        })
        .then([this](kj::Own<kj::AsyncIoStream> stream) -> kj::Promise<kj::Own<kj::AsyncIoStream>> {
          if (tls == nullptr) return kj::mv(stream);
          std::string name = options.tls.server_name.empty() ? HostOf(options.address)
                                                            : options.tls.server_name;
          return tls->wrapClient(kj::mv(stream), name.c_str());
        })
        .catch_([](kj::Exception&& exception) -> kj::Promise<kj::Own<kj::AsyncIoStream>> {
          return kj::Exception(kj::Exception::Type::DISCONNECTED, exception.getFile(),
                               exception.getLine(), kj::heapString(exception.getDescription()));
        })
        .then([this](kj::Own<kj::AsyncIoStream> stream) {
          auto& live = connection.emplace(kj::heap<Connection>(kj::mv(stream)));
          auto request = live->service.authenticateRequest();
          request.setToken(capnp::Data::Reader(reinterpret_cast<const kj::byte*>(options.token.data()),
                                               options.token.size()));
          return request.send().then([this](auto response) -> schema::Session::Client {
            auto session = response.getSession();
            KJ_IF_MAYBE(live, connection) { (*live)->session = session; }
            return session;
          });
        });
  }

  // Runs `op(session)` with retries on connection loss and overload.
  template <typename T, typename Op>
  Result<T> Call(const char* what, Op op, uint32_t* attempts_out = nullptr) {
    std::lock_guard<std::mutex> lock(call_mutex);
    auto backoff = options.retry_backoff;
    std::string where = context + ": " + what;
    for (uint32_t attempt = 1;; ++attempt) {
      if (attempts_out) *attempts_out = attempt;
      kj::Maybe<T> value;
      KJ_IF_MAYBE(exception, kj::runCatchingExceptions([&]() {
        value = executor->executeSync([&]() -> kj::Promise<T> {
          auto timeout = io->provider->getTimer()
                             .afterDelay(options.call_timeout.count() * kj::MILLISECONDS)
                             .then([]() -> T {
                               kj::throwFatalException(KJ_EXCEPTION(DISCONNECTED, "call timed out"));
                             });
          return Session().then([op](schema::Session::Client session) mutable { return op(session); })
              .exclusiveJoin(kj::mv(timeout));
        });
      })) {
        auto type = exception->getType();
        bool retryable = type == kj::Exception::Type::DISCONNECTED ||
                         type == kj::Exception::Type::OVERLOADED;
        Status status = schema::StatusFromException(*exception, Status::Code::kIOError, where);
        if (retryable) executor->executeSync([this]() { connection = nullptr; });
        if (!retryable || attempt >= options.max_attempts) return status;
        std::this_thread::sleep_for(backoff);
        backoff *= 2;
        continue;
      }
      KJ_IF_MAYBE(result, value) { return kj::mv(*result); }
    }
  }
};

ProfileClient::ProfileClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProfileClient::~ProfileClient() = default;

Result<std::unique_ptr<ProfileClient>> ProfileClient::Connect(const ClientOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  if (impl->options.max_attempts == 0) impl->options.max_attempts = 1;
  impl->options.chunk_entries = std::clamp<uint32_t>(options.chunk_entries, 1, schema::K_MAX_CHUNK_ENTRIES);
  impl->context = "server " + options.address;
  if (options.tls.enabled && !options.tls.ca_file.empty()) {
    auto pem = ReadSmallFile(options.tls.ca_file);
    if (!pem.ok()) return pem.status();
    impl->tls_ca_pem = std::move(*pem);
  }
  BLOBGRAPH_RETURN_IF_ERROR(impl->Start());
  std::unique_ptr<ProfileClient> client(new ProfileClient(std::move(impl)));
  // Connect and authenticate now, so a bad address or token shows at once.
  auto connected = client->impl_->Call<bool>("connect", [](schema::Session::Client&) {
    return kj::Promise<bool>(true);
  });
  if (!connected.ok()) return connected.status();
  return client;
}

void ProfileClient::Disconnect() {
  std::lock_guard<std::mutex> lock(impl_->call_mutex);
  impl_->executor->executeSync([this]() { impl_->connection = nullptr; });
}

Result<PushResult> ProfileClient::Push(const GraphUpdate& update) {
  return Send(update, /*retract=*/false);
}

Result<PushResult> ProfileClient::Send(const GraphUpdate& update, bool retract) {
  if (!update.profile) {
    return Status::InvalidInput(impl_->context + (retract ? ": retract" : ": push") +
                                ": the update has no profile id (set update.profile, "
                                "e.g. ProfileInfo::NewForThisHost(), once per recorded run)");
  }
  const size_t chunk = impl_->options.chunk_entries;
  uint32_t attempts = 0;
  auto result = impl_->Call<PushResult>(retract ? "retract" : "push", [&update, chunk, retract](schema::Session::Client& session) {
    return BeginSend(session, *update.profile, retract).then([&update, chunk](std::optional<schema::PushSession::Client> begun) -> kj::Promise<PushResult> {
      if (!begun) return PushResult{true, 0, 1};
      auto push = *begun;
      auto edges = StreamChunks(std::span<const EdgeDelta>(update.edges), chunk,
                                [push](std::span<const EdgeDelta> part) mutable {
        auto request = push.addEdgesRequest();
        EncodeEdges(part, request.initEdges(part.size()));
        return request.send();
      });
      return edges
          .then([&update, chunk, push]() mutable {
            return StreamChunks(std::span<const std::pair<BlobHash, std::string>>(update.names), chunk,
                                [push](std::span<const std::pair<BlobHash, std::string>> part) mutable {
              auto request = push.addNamesRequest();
              EncodeNames(part, request.initNames(part.size()));
              return request.send();
            });
          })
          .then([&update, chunk, push]() mutable {
            return StreamChunks(std::span<const BlobHash>(update.functions), chunk,
                                [push](std::span<const BlobHash> part) mutable {
              auto request = push.addFunctionsRequest();
              EncodeHashes(part, request.initFunctions(part.size()));
              return request.send();
            });
          })
          .then([&update, chunk, push]() mutable {
            kj::Promise<void> runs = kj::READY_NOW;
            for (const auto& run : update.runs) {
              if (run.size() > schema::K_MAX_CHUNK_ENTRIES) {
                return kj::Promise<PushResult>(KJ_EXCEPTION(
                    FAILED, "invalid input: push: a run's load order has more than the chunk limit",
                    run.size()));
              }
              runs = runs.then([&run, push]() mutable {
                auto request = push.addRunRequest();
                EncodeHashes(run, request.initLoadOrder(run.size()));
                return request.send();
              });
            }
            return runs.then([&update, chunk, push]() mutable {
              return StreamChunks(std::span<const LoadWeights>(update.loads), chunk,
                                  [push](std::span<const LoadWeights> part) mutable {
                auto request = push.addLoadsRequest();
                EncodeLoads(part, request.initLoads(part.size()));
                return request.send();
              });
            }).then([&update, push]() mutable {
              auto commit = push.commitRequest();
              commit.setEdges(update.edges.size());
              commit.setNames(update.names.size());
              commit.setFunctions(update.functions.size());
              commit.setRuns(update.runs.size());
              commit.setLoads(update.loads.size());
              commit.setRunWeight(update.run_weight);
              return commit.send().then([](auto response) {
                return PushResult{response.getAlreadyApplied(), response.getEdgesApplied(), 1};
              });
            });
          });
    });
  }, &attempts);
  if (result.ok()) result->attempts = attempts;
  return result;
}

Result<GraphUpdate> ProfileClient::Pull(const PullOptions& options) {
  return impl_->Call<GraphUpdate>("pull", [options](schema::Session::Client& session) {
    auto out = std::make_shared<GraphUpdate>();
    auto request = session.pullRequest();
    auto wire = request.initOptions();
    wire.setMaxFunctions(options.max_functions);
    wire.setMaxBytes(options.max_bytes);
    wire.setMinCalls(options.min_calls);
    wire.setIncludeNames(options.include_names);
    wire.setIncludeLoads(true);
    request.setSink(kj::heap<SinkImpl>(out));
    return request.send().then([out](auto response) {
      auto summary = response.getSummary();
      if (summary.getEdges() != out->edges.size() || summary.getNames() != out->names.size() ||
          summary.getDeclared() != out->functions.size() ||
          summary.getLoads() != out->loads.size()) {
        kj::throwFatalException(KJ_EXCEPTION(FAILED, "corruption: pull: the server sent a summary "
                                                     "that does not match the chunks received",
                                             summary.getEdges(), out->edges.size()));
      }
      out->run_weight = summary.getRunWeight();
      return std::move(*out);
    });
  });
}

Result<std::vector<BlobHash>> ProfileClient::StartSet(uint32_t max) {
  return impl_->Call<std::vector<BlobHash>>("startSet", [max](schema::Session::Client& session) {
    auto request = session.startSetRequest();
    request.setMax(max);
    return request.send().then([](auto response) {
      std::vector<BlobHash> hashes;
      DecodeHashes(response.getFunctions(), "startSet", &hashes);
      return hashes;
    });
  });
}

Result<std::vector<CalleeInfo>> ProfileClient::Callees(const BlobHash& caller, uint32_t max) {
  return impl_->Call<std::vector<CalleeInfo>>("callees", [caller, max](schema::Session::Client& session) {
    auto request = session.calleesRequest();
    request.setCaller(HashData(caller));
    request.setMax(max);
    return request.send().then([](auto response) {
      std::vector<CalleeInfo> callees;
      auto list = response.getCallees();
      callees.reserve(list.size());
      for (size_t i = 0; i < list.size(); ++i) {
        callees.push_back({DecodeHash(list[i].getCallee(), "callees", i), list[i].getStaticCount(),
                           list[i].getDynamicCount(), list[i].getProbability()});
      }
      return callees;
    });
  });
}

Result<std::vector<Prediction>> ProfileClient::Prefetch(const BlobHash& hash,
                                                        const PrefetchOptions& options) {
  return impl_->Call<std::vector<Prediction>>("prefetch", [hash, options](schema::Session::Client& session) {
    auto request = session.prefetchRequest();
    request.setStart(HashData(hash));
    auto wire = request.initOptions();
    wire.setMaxDepth(options.max_depth);
    wire.setTopN(options.top_n);
    wire.setMinProbability(options.min_probability);
    wire.setMaxResults(options.enabled ? options.max_results : 0);
    return request.send().then([](auto response) {
      std::vector<Prediction> predictions;
      auto list = response.getPredictions();
      for (size_t i = 0; i < list.size(); ++i) {
        predictions.push_back({DecodeHash(list[i].getHash(), "prefetch", i), list[i].getProbability(),
                               list[i].getDepth()});
      }
      return predictions;
    });
  });
}

Result<ServerStats> ProfileClient::Stats() {
  return impl_->Call<ServerStats>("stats", [](schema::Session::Client& session) {
    return session.statsRequest().send().then([](auto response) {
      auto wire = response.getStats();
      ServerStats stats;
      stats.store.functions = wire.getFunctions();
      stats.store.edges = wire.getEdges();
      stats.store.static_total = wire.getStaticTotal();
      stats.store.dynamic_total = wire.getDynamicTotal();
      stats.store.bytes_on_disk = wire.getBytesOnDisk();
      stats.store.runs = wire.getRuns();
      stats.store.profiles = wire.getProfiles();
      stats.pushes_applied = wire.getPushesApplied();
      stats.pushes_duplicate = wire.getPushesDuplicate();
      stats.pushes_failed = wire.getPushesFailed();
      stats.edges_applied = wire.getEdgesApplied();
      stats.connections_open = wire.getConnectionsOpen();
      stats.connections_total = wire.getConnectionsTotal();
      stats.snapshot.version = wire.getSnapshotVersion();
      stats.snapshot.functions = wire.getSnapshotFunctions();
      stats.snapshot.edges = wire.getSnapshotEdges();
      stats.uptime_ms = wire.getUptimeMs();
      return stats;
    });
  });
}

}  // namespace blobgraph::server

namespace blobgraph::server {

Result<RetractOutcome> ProfileClient::Retract(const GraphUpdate& update) {
  auto sent = Send(update, /*retract=*/true);
  if (!sent.ok()) return sent.status();
  RetractOutcome outcome;
  outcome.already_retracted = sent->already_applied;
  outcome.edges = sent->edges_applied;
  return outcome;
}

Result<ServerProfiles> ProfileClient::Profiles(uint32_t max) {
  return impl_->Call<ServerProfiles>("profiles", [max](schema::Session::Client& session) {
    auto request = session.profilesRequest();
    request.setMax(max);
    return request.send().then([](auto response) {
      ServerProfiles out;
      out.total = response.getTotal();
      out.truncated = response.getTruncated();
      for (auto entry : response.getProfiles()) {
        ProfileRecord record;
        auto id = entry.getId();
        auto digest = entry.getDigest();
        if (id.size() != record.info.id.size() || digest.size() != record.digest.size()) {
          ThrowStatus(Status::InvalidInput("profiles: server sent a record with an id of " +
                                           std::to_string(id.size()) + " bytes or a digest of " +
                                           std::to_string(digest.size())));
        }
        std::copy(id.begin(), id.end(), record.info.id.begin());
        std::copy(digest.begin(), digest.end(), record.digest.begin());
        record.info.source_host = entry.getSourceHost();
        record.info.created_unix_ms = entry.getCreatedUnixMs();
        record.merged_unix_ms = entry.getMergedUnixMs();
        record.edges = entry.getEdges();
        record.retracted = entry.getRetracted();
        record.retracted_unix_ms = entry.getRetractedUnixMs();
        out.profiles.push_back(std::move(record));
      }
      return out;
    });
  });
}

}  // namespace blobgraph::server
