#include "server/connection_limits.h"

#include <sys/ioctl.h>

#include "server/server_core.h"

namespace blobgraph::server {

namespace {

// Bytes the peer sent that the server has not read yet; 0 when unknown.
int UnreadBytes(int fd) {
  int pending = 0;
  if (fd < 0 || ioctl(fd, FIONREAD, &pending) != 0) return 0;
  return pending;
}

}  // namespace

ConnectionInfo* ConnectionSlots::Admit(ConnectionInfo& info) {
  // Which waiting connections may make room: this host's own when it is at
  // its share, else anyone's when all slots are taken.
  const bool host_full = waiting_per_host_[info.peer_host] >= options_.max_unauthenticated_per_host;
  const bool all_full = waiting_.size() >= options_.max_unauthenticated;
  ConnectionInfo* displaced = nullptr;
  if (host_full || all_full) {
    // The oldest that has sent nothing is idle: a client about to
    // authenticate has its request waiting to be read. Else the oldest.
    ConnectionInfo* oldest = nullptr;
    for (const auto& [sequence, waiting] : waiting_) {
      if (host_full && waiting->peer_host != info.peer_host) continue;
      if (oldest == nullptr) oldest = waiting;
      if (UnreadBytes(waiting->fd) == 0) {
        displaced = waiting;
        break;
      }
    }
    if (displaced == nullptr) displaced = oldest;
  }
  if (displaced != nullptr) {
    Release(*displaced);
    displaced->slot = ConnectionInfo::Slot::kDisplaced;
    displaced->Drop(0 * kj::MILLISECONDS);
    ++drops_unlogged_;
  }
  info.slot = ConnectionInfo::Slot::kWaiting;
  info.slot_sequence = next_sequence_++;
  waiting_.emplace(info.slot_sequence, &info);
  ++waiting_per_host_[info.peer_host];
  return displaced;
}

Status ConnectionSlots::Authenticate(ConnectionInfo& info) {
  if (info.slot == ConnectionInfo::Slot::kAuthenticated) return Status::Ok();
  if (info.slot == ConnectionInfo::Slot::kDisplaced) {
    return Status::Busy("this connection was dropped: " + std::to_string(waiting_.size()) +
                        " connections are waiting to authenticate, the limit "
                        "(--max-unauthenticated " +
                        std::to_string(options_.max_unauthenticated) + "); retry");
  }
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
    auto host = waiting_per_host_.find(info.peer_host);
    if (host != waiting_per_host_.end() && --host->second == 0) waiting_per_host_.erase(host);
  } else if (info.slot == ConnectionInfo::Slot::kAuthenticated) {
    --authenticated_;
  }
  if (info.slot != ConnectionInfo::Slot::kDisplaced) info.slot = ConnectionInfo::Slot::kNone;
}

uint64_t ConnectionSlots::TakeDropsToLog(std::chrono::steady_clock::time_point now) {
  if (drops_unlogged_ == 0 || now - last_drop_log_ < std::chrono::seconds(1)) return 0;
  last_drop_log_ = now;
  uint64_t drops = drops_unlogged_;
  drops_unlogged_ = 0;
  return drops;
}

kj::Duration AuthFailureDelay(uint32_t failures) {
  kj::Duration delay = 100 * kj::MILLISECONDS;
  for (uint32_t i = 1; i < failures && delay < 5 * kj::SECONDS; ++i) delay = delay * 2;
  return delay < 5 * kj::SECONDS ? delay : 5 * kj::SECONDS;
}

}  // namespace blobgraph::server
