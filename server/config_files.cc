#include "server/config_files.h"
#include "blobgraph/profile_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace blobgraph::server {

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return Status::IOError(path + ": " + std::strerror(errno));
  std::string content;
  char buffer[4096];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof(buffer), file.get())) > 0) {
    content.append(buffer, got);
    if (content.size() > max_bytes) {
      return Status::InvalidInput(path + ": larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  if (std::ferror(file.get())) return Status::IOError(path + ": read failed");
  return content;
}

Result<std::string> ReadTokenFile(const std::string& path) {
  auto content = ReadSmallFile(path, 64 << 10);
  if (!content.ok()) return content.status();
  std::string token = std::move(*content);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ' ||
                            token.back() == '\t')) {
    token.pop_back();
  }
  if (token.empty()) return Status::InvalidInput(path + ": token file is empty");
  return token;
}

std::string HostOf(const std::string& address) {
  if (!address.empty() && address.front() == '[') {
    size_t close = address.find(']');
    return close == std::string::npos ? address : address.substr(1, close - 1);
  }
  size_t colon = address.find(':');
  if (colon != std::string::npos && address.find(':', colon + 1) == std::string::npos) {
    return address.substr(0, colon);  // host:port (a bare IPv6 address has several colons)
  }
  return address;
}

namespace {

bool IsLoopbackSocketAddress(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;  // 127.0.0.0/8
  }
  if (address->sa_family == AF_INET6) {
    const in6_addr& v6 = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;                 // ::1
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;  // ::ffff:127.x.y.z
  }
  return false;
}

}  // namespace

bool IsLoopbackAddress(const std::string& address) {
  // Resolve, as the listener will, and require every address to be
  // loopback: "127.evil.example" is a name like any other.
  std::string host = HostOf(address);
  if (host.empty() || host == "*") return false;  // every interface
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return false;
  bool loopback = found != nullptr;
  for (addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
    loopback = loopback && IsLoopbackSocketAddress(entry->ai_addr);
  }
  freeaddrinfo(found);
  return loopback;
}

}  // namespace blobgraph::server
