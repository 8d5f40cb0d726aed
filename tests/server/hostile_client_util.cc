#include "hostile_client_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <capnp/message.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace blobgraph::server::testing {

RawConnection::RawConnection(RpcLoop& loop, uint16_t port)
    : loop_(loop),
      stream_(loop.io.provider->getNetwork()
                  .parseAddress("127.0.0.1", port)
                  .wait(loop.wait_scope())
                  ->connect()
                  .wait(loop.wait_scope())),
      network_(*stream_, capnp::rpc::twoparty::Side::CLIENT),
      rpc_(capnp::makeRpcClient(network_)),
      disconnected_(network_.onDisconnect().fork()) {
  capnp::MallocMessageBuilder message;
  auto id = message.initRoot<capnp::rpc::twoparty::VatId>();
  id.setSide(capnp::rpc::twoparty::Side::SERVER);
  service_ = rpc_.bootstrap(id).castAs<schema::ProfileService>();
}

std::string RawConnection::Authenticate(const std::string& token) {
  auto request = service_.authenticateRequest();
  request.setToken(
      capnp::Data::Reader(reinterpret_cast<const uint8_t*>(token.data()), token.size()));
  std::string error;
  KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() {
                 auto response = request.send().wait(loop_.wait_scope());
                 session_ = response.getSession();
               })) {
    error = ErrorText(*exception);
  }
  return error;
}

schema::PushSession::Client RawConnection::BeginPush(uint64_t id, const std::string& host,
                                                     std::string* error) {
  auto request = session_.beginPushRequest();
  uint64_t words[2] = {id, 0x11717511717ull};
  auto profile = request.initProfile();
  profile.setId(capnp::Data::Reader(reinterpret_cast<const uint8_t*>(words), 16));
  profile.setSourceHost(capnp::Text::Reader(host.data(), host.size()));
  schema::PushSession::Client push = nullptr;
  error->clear();
  KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() {
                 push = request.send().wait(loop_.wait_scope()).getPush();
               })) {
    *error = ErrorText(*exception);
  }
  return push;
}

std::string RawConnection::SendNames(schema::PushSession::Client& push, int chunks, int per_chunk,
                                     size_t name_bytes, uint64_t seed) {
  std::string name(name_bytes, 'n');
  std::string first_error;
  for (int chunk = 0; chunk < chunks; ++chunk) {
    auto request = push.addNamesRequest();
    auto names = request.initNames(per_chunk);
    for (int i = 0; i < per_chunk; ++i) {
      uint8_t hash[32] = {};
      uint64_t words[3] = {seed, uint64_t(chunk), uint64_t(i)};
      std::memcpy(hash, words, sizeof(words));
      names[i].setHash(capnp::Data::Reader(hash, 32));
      names[i].setName(capnp::Text::Reader(name.data(), name.size()));
    }
    std::string error = ErrorOf(request.send());
    if (first_error.empty()) first_error = error;
  }
  return first_error;
}

std::string RawConnection::Commit(schema::PushSession::Client& push, uint64_t edges,
                                  uint64_t names) {
  auto request = push.commitRequest();
  request.setEdges(edges);
  request.setNames(names);
  return ErrorOf(request.send());
}

void RawConnection::RoundTrip() {
  auto request = session_.calleesRequest();
  uint8_t hash[32] = {};
  request.setCaller(capnp::Data::Reader(hash, 32));
  request.send().wait(loop_.wait_scope());
}

bool RawConnection::ClosedWithin(double seconds) {
  auto timeout = loop_.io.provider->getTimer().afterDelay(static_cast<int64_t>(seconds * 1000) *
                                                          kj::MILLISECONDS);
  bool closed = false;
  disconnected_.addBranch()
      .then([&closed]() { closed = true; })
      .exclusiveJoin(kj::mv(timeout))
      .wait(loop_.wait_scope());
  return closed;
}

namespace {

uint64_t StatusField(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) != 0) continue;
    std::istringstream value(line.substr(field.size() + 1));
    uint64_t kib = 0;
    value >> kib;
    return kib;
  }
  return 0;
}

}  // namespace

uint64_t PeakRssKiB(pid_t pid) { return StatusField(pid, "VmHWM"); }
uint64_t RssKiB(pid_t pid) { return StatusField(pid, "VmRSS"); }

int ConnectIdle(uint16_t port, const char* source) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0) {
    close(fd);
    return -1;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool PeerClosed(int fd) {
  pollfd readable{fd, POLLIN, 0};
  if (poll(&readable, 1, 0) <= 0) return false;
  char buffer[4096];
  ssize_t got = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
  return got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

}  // namespace blobgraph::server::testing
