// The serve flags of the server's limits, in one table the serve command
// (tools/cmd_serve.cc: `blobgraph serve` and blobgraph-server) turns into
// flags, so the names, defaults, ranges and ServerOptions fields agree.
//
//   flag                    default   what it bounds
//   --max-push-bytes        1 GiB     one push, decoded (entries + name bytes);
//                                     --max-push-edges (8M) edges take 671 MB
//   --max-connection-bytes  1 GiB     one connection's pushes not yet applied
//   --max-pending-bytes     2 GiB     all pushes not yet applied, server-wide
//   --max-open-pushes       4         uncommitted push sessions per connection
//   --max-name-bytes        64 KiB    one function's name in a push
//   --max-unauthenticated   64        connections waiting to authenticate
//                                     (the oldest is dropped for a new one)
//   --max-unauthenticated-per-host 16 of those, from one peer address (a new
//                                     one drops that address's oldest)
//   --auth-timeout          10 s      to authenticate after connecting
//   --max-auth-failures     5         wrong tokens per connection (each answered
//                                     after 100 ms, doubling), then dropped
//   --pull-send-timeout     30 s      a pull's receiver to take one chunk
// plus --max-connections (256 authenticated) and --max-push-edges, and the
// constants kMinTokenBytes (16) and kMaxSourceHostBytes (255).
// Pure; any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "server/profile_server.h"

namespace blobgraph::server {

struct LimitFlag {
  const char* name;  // without the leading "--"
  const char* help;
  bool seconds;  // a duration in seconds (fractions allowed); else a whole count
  double min;
  double max;
  std::function<double(const ServerOptions&)> get;  // the default, for help texts
  std::function<void(ServerOptions&, double)> set;
};

const std::vector<LimitFlag>& ServerLimitFlags();

// "512 MiB", "10 s", "4": a default for help texts.
std::string LimitDefaultText(const LimitFlag& flag);

}  // namespace blobgraph::server
