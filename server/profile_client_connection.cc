// ProfileClient's connection: the loop thread, connecting (TLS, then
// authenticate) and reconnecting (profile_client_connection.h).
#include "server/profile_client_connection.h"

#include <algorithm>
#include <condition_variable>

#include <capnp/message.h>

#include "server/config_files.h"
#include "server/profile_server.h"

namespace blobgraph::server {

ProfileClient::Impl::~Impl() {
  if (executor != nullptr) {
    executor->executeSync([this]() {
      connection = nullptr;
      stop->fulfill();
    });
  }
  if (thread.joinable()) thread.join();
}

Status ProfileClient::Impl::Start() {
  std::mutex mutex;
  std::condition_variable ready;
  std::string failure;
  bool done = false;
  thread = std::thread([&, this]() {
    KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() {
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

kj::Promise<schema::Session::Client> ProfileClient::Impl::Session() {
  KJ_IF_MAYBE (live, connection) {
    KJ_IF_MAYBE (session, (*live)->session) {
      return *session;
    }
  }
  connection = nullptr;
  auto& network = io->provider->getNetwork();
  return network.parseAddress(options.address, kDefaultPort)
      .then([](kj::Own<kj::NetworkAddress> address) {
        return address->connect().attach(kj::mv(address));
      })
      .then([this](kj::Own<kj::AsyncIoStream> stream) -> kj::Promise<kj::Own<kj::AsyncIoStream>> {
        if (tls == nullptr) return kj::mv(stream);
        std::string name =
            options.tls.server_name.empty() ? HostOf(options.address) : options.tls.server_name;
        return tls->wrapClient(kj::mv(stream), name.c_str());
      })
      .catch_([](kj::Exception&& exception) -> kj::Promise<kj::Own<kj::AsyncIoStream>> {
        return kj::Exception(kj::Exception::Type::DISCONNECTED, exception.getFile(),
                             exception.getLine(), kj::heapString(exception.getDescription()));
      })
      .then([this](kj::Own<kj::AsyncIoStream> stream) {
        auto& live = connection.emplace(kj::heap<Connection>(kj::mv(stream)));
        auto request = live->service.authenticateRequest();
        request.setToken(capnp::Data::Reader(
            reinterpret_cast<const kj::byte*>(options.token.data()), options.token.size()));
        return request.send().then([this](auto response) -> schema::Session::Client {
          auto session = response.getSession();
          KJ_IF_MAYBE (live, connection) {
            (*live)->session = session;
          }
          return session;
        });
      });
}

ProfileClient::ProfileClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProfileClient::~ProfileClient() = default;

Result<std::unique_ptr<ProfileClient>> ProfileClient::Connect(const ClientOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  if (impl->options.max_attempts == 0) impl->options.max_attempts = 1;
  impl->options.chunk_entries =
      std::clamp<uint32_t>(options.chunk_entries, 1, schema::K_MAX_CHUNK_ENTRIES);
  impl->context = "server " + options.address;
  if (options.tls.enabled && !options.tls.ca_file.empty()) {
    auto pem = ReadSmallFile(options.tls.ca_file);
    if (!pem.ok()) return pem.status();
    impl->tls_ca_pem = std::move(*pem);
  }
  BLOBGRAPH_RETURN_IF_ERROR(impl->Start());
  std::unique_ptr<ProfileClient> client(new ProfileClient(std::move(impl)));
  // Connect and authenticate now, so a bad address or token shows at once.
  auto connected = client->impl_->Call<bool>(
      "connect", [](schema::Session::Client&) { return kj::Promise<bool>(true); });
  if (!connected.ok()) return connected.status();
  return client;
}

void ProfileClient::Disconnect() {
  std::lock_guard<std::mutex> lock(impl_->call_mutex);
  impl_->executor->executeSync([this]() { impl_->connection = nullptr; });
}

}  // namespace blobgraph::server
