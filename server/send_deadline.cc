#include "server/send_deadline.h"

#include <cstdio>

#include "server/wire.h"

namespace blobgraph::server {

kj::Promise<void> WithSendDeadline(ServerCore& core, kj::Promise<void> send) {
  auto limit = core.options.pull_send_timeout;
  return send.exclusiveJoin(
      core.timer->afterDelay(limit.count() * kj::MILLISECONDS).then([limit]() {
        char seconds[32];
        std::snprintf(seconds, sizeof(seconds), "%g", limit.count() / 1000.0);
        ThrowStatus(Status::IOError(std::string("pull: the receiver took no chunk for ") + seconds +
                                    " s, the limit (--pull-send-timeout " + seconds +
                                    "); pull cancelled"));
      }));
}

}  // namespace blobgraph::server
