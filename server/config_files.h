// Reading the small files the server and client are configured with: the
// shared token and PEM certificates and keys. Internal to server/; any thread.
#pragma once

#include <string>

#include "blobgraph/status.h"

namespace blobgraph::server {

// The whole file. kIOError naming the file when it cannot be read.
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes = 1 << 20);

// "HOST[:PORT]" resolves (getaddrinfo) to loopback addresses only:
// 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104. False when it does not resolve.
bool IsLoopbackAddress(const std::string& address);

// The host part of "HOST[:PORT]" / "[V6]:PORT", for TLS name checks.
std::string HostOf(const std::string& address);

}  // namespace blobgraph::server
