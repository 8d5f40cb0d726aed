#include "server/config_files.h"

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

bool IsLoopbackAddress(const std::string& address) {
  std::string host = HostOf(address);
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace blobgraph::server
