#include "server/connection_limits.h"

#include "server/server_core.h"

namespace blobgraph::server {

ConnectionInfo* ConnectionSlots::Admit(ConnectionInfo& info) {
  ConnectionInfo* displaced = nullptr;
  if (options_.max_unauthenticated > 0 && waiting_.size() >= options_.max_unauthenticated) {
    displaced = waiting_.begin()->second;
    Release(*displaced);
    displaced->Drop(0 * kj::MILLISECONDS);
  }
  info.slot = ConnectionInfo::Slot::kWaiting;
  info.slot_sequence = next_sequence_++;
  waiting_.emplace(info.slot_sequence, &info);
  return displaced;
}

Status ConnectionSlots::Authenticate(ConnectionInfo& info) {
  if (info.slot == ConnectionInfo::Slot::kAuthenticated) return Status::Ok();
  if (authenticated_ >= options_.max_connections) {
    return Status::Busy("server has " + std::to_string(authenticated_) +
                        " authenticated connections open, the limit (--max-connections " +
                        std::to_string(options_.max_connections) + "); retry later");
  }
  Release(info);
  info.slot = ConnectionInfo::Slot::kAuthenticated;
  ++authenticated_;
  return Status::Ok();
}

void ConnectionSlots::Release(ConnectionInfo& info) {
  if (info.slot == ConnectionInfo::Slot::kWaiting) {
    waiting_.erase(info.slot_sequence);
  } else if (info.slot == ConnectionInfo::Slot::kAuthenticated) {
    --authenticated_;
  }
  info.slot = ConnectionInfo::Slot::kNone;
}

kj::Duration AuthFailureDelay(uint32_t failures) {
  kj::Duration delay = 100 * kj::MILLISECONDS;
  for (uint32_t i = 1; i < failures && delay < 5 * kj::SECONDS; ++i) delay = delay * 2;
  return delay < 5 * kj::SECONDS ? delay : 5 * kj::SECONDS;
}

}  // namespace blobgraph::server
