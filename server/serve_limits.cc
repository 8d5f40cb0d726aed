#include "server/serve_limits.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace blobgraph::server {
namespace {

using std::chrono::milliseconds;

constexpr double kMaxBytes = 1ull << 50;  // 1 PiB: any sane budget, exact in a double

milliseconds Millis(double seconds) {
  return milliseconds(static_cast<int64_t>(std::llround(seconds * 1000)));
}
double Seconds(milliseconds duration) { return duration.count() / 1000.0; }

}  // namespace

const std::vector<LimitFlag>& ServerLimitFlags() {
  static const std::vector<LimitFlag> flags = {
      {"max-push-bytes", "bytes one push may hold in memory, decoded (entries and names)", false, 1,
       kMaxBytes, [](const ServerOptions& o) { return double(o.max_push_bytes); },
       [](ServerOptions& o, double v) { o.max_push_bytes = uint64_t(v); }},
      {"max-connection-bytes", "bytes one connection's pushes may hold until applied", false, 1,
       kMaxBytes, [](const ServerOptions& o) { return double(o.max_connection_bytes); },
       [](ServerOptions& o, double v) { o.max_connection_bytes = uint64_t(v); }},
      {"max-pending-bytes", "bytes all pushes not yet applied may hold, server-wide", false, 1,
       kMaxBytes, [](const ServerOptions& o) { return double(o.max_pending_bytes); },
       [](ServerOptions& o, double v) { o.max_pending_bytes = uint64_t(v); }},
      {"max-open-pushes", "uncommitted push sessions per connection", false, 1, 1 << 20,
       [](const ServerOptions& o) { return double(o.max_open_pushes); },
       [](ServerOptions& o, double v) { o.max_open_pushes = uint32_t(v); }},
      {"max-name-bytes", "bytes of one function's name in a push", false, 1, 1 << 24,
       [](const ServerOptions& o) { return double(o.max_name_bytes); },
       [](ServerOptions& o, double v) { o.max_name_bytes = uint64_t(v); }},
      {"max-unauthenticated",
       "connections waiting to authenticate (apart from --max-connections); a new one drops the "
       "oldest",
       false, 1, 1 << 20, [](const ServerOptions& o) { return double(o.max_unauthenticated); },
       [](ServerOptions& o, double v) { o.max_unauthenticated = uint32_t(v); }},
      {"max-unauthenticated-per-host",
       "connections from one peer address waiting to authenticate; a new one drops that "
       "address's oldest, never another's",
       false, 1, 1 << 20,
       [](const ServerOptions& o) { return double(o.max_unauthenticated_per_host); },
       [](ServerOptions& o, double v) { o.max_unauthenticated_per_host = uint32_t(v); }},
      {"auth-timeout", "seconds a connection has to authenticate", true, 0.01, 3600,
       [](const ServerOptions& o) { return Seconds(o.auth_timeout); },
       [](ServerOptions& o, double v) { o.auth_timeout = Millis(v); }},
      {"max-auth-failures",
       "wrong tokens on one connection (each answered after a doubling delay) before it is dropped",
       false, 1, 1000, [](const ServerOptions& o) { return double(o.max_auth_failures); },
       [](ServerOptions& o, double v) { o.max_auth_failures = uint32_t(v); }},
      {"pull-send-timeout",
       "seconds a pull's receiver may take to accept a chunk before the pull "
       "is cancelled",
       true, 0.01, 86400, [](const ServerOptions& o) { return Seconds(o.pull_send_timeout); },
       [](ServerOptions& o, double v) { o.pull_send_timeout = Millis(v); }},
  };
  return flags;
}

std::string LimitDefaultText(const LimitFlag& flag) {
  double value = flag.get(ServerOptions());
  if (flag.seconds) {
    char text[32];
    std::snprintf(text, sizeof(text), "%g s", value);
    return text;
  }
  uint64_t whole = uint64_t(value);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  if (std::string(flag.name).find("bytes") != std::string::npos && whole >= 1024 &&
      whole % 1024 == 0) {
    int unit = -1;
    while (whole >= 1024 && whole % 1024 == 0 && unit < 3) {
      whole /= 1024;
      ++unit;
    }
    return std::to_string(whole) + " " + units[unit];
  }
  return std::to_string(whole);
}

}  // namespace blobgraph::server
