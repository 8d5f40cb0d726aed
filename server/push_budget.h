// Byte budgets for pushes held in the server's memory, so that no client can
// grow the server past what its operator configured.
//
// A push is decoded into a GraphUpdate as its chunks arrive and stays in
// memory until the writer thread has applied it. Every chunk is charged
// before it is decoded, at the size it will take decoded (the vectors'
// capacity after growth, which Reserve* makes exact, plus each name's heap
// bytes), against three budgets:
//   --max-push-bytes        this push alone;
//   --max-connection-bytes  all pushes of its connection not yet applied
//                           (open, or committed and queued for the writer);
//   --max-pending-bytes     all pushes of all connections not yet applied,
//                           so N connections cannot multiply the second.
// A chunk over a budget is refused naming the budget, its value and its flag;
// the push is poisoned and everything it held is released at once (not at
// disconnect). The budgets also count pushes whose client went away, until
// the writer is done with them.
//
// Threads: Charge* on the event loop; Release from the loop or the writer
// (the counters it touches are atomic). Internal to server/.
#pragma once

#include <capnp/list.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "blobgraph/graph_store.h"
#include "schema/profile_service.capnp.h"
#include "server/profile_server.h"

namespace blobgraph::server {

// Per connection: its pushes' bytes and its open (uncommitted) push sessions.
struct ConnectionPushes {
  std::atomic<uint64_t> bytes{0};
  uint32_t open = 0;  // loop thread only
};

// Refuses a new push session past --max-open-pushes (InvalidInput naming the
// limit and the flag); else counts it open. Loop thread.
void OpenPushSession(const ServerOptions& options, ConnectionPushes& connection);
void ClosePushSession(ConnectionPushes& connection);

// Refuses a source host longer than kMaxSourceHostBytes (the push's id named).
void CheckSourceHost(const ProfileInfo& profile);
inline constexpr size_t kMaxSourceHostBytes = 255;  // a DNS name's maximum length

class PushBudget {
 public:
  PushBudget(const ServerOptions& options, std::atomic<uint64_t>* server_bytes,
             std::shared_ptr<ConnectionPushes> connection, std::string push_id);
  ~PushBudget() { Release(); }
  PushBudget(PushBudget&& other) noexcept;
  PushBudget(const PushBudget&) = delete;
  PushBudget& operator=(const PushBudget&) = delete;
  PushBudget& operator=(PushBudget&&) = delete;

  // Charge for `more` entries arriving in `*entries` and reserve the
  // capacity charged, so the vector never grows past it. Throw (ThrowStatus)
  // naming the budget when one would be exceeded; nothing is charged then.
  void ReserveEdges(std::vector<EdgeDelta>* edges, size_t more, const char* what);
  void ReserveHashes(std::vector<BlobHash>* hashes, size_t more, const char* what);
  // Also refuses a name longer than --max-name-bytes, naming its entry.
  void ReserveNames(std::vector<std::pair<BlobHash, std::string>>* names,
                    capnp::List<schema::NamedFunction>::Reader chunk, const char* what);
  // One run's load order (its own vector) plus its slot in `runs`.
  void ReserveRun(std::vector<std::vector<BlobHash>>* runs, size_t length, const char* what);
  // Any other entry kind (e.g. load records): charge `more` elements' growth
  // of `*entries` (plus `extra_bytes` they hold on the heap) and reserve it.
  template <typename T>
  void Reserve(std::vector<T>* entries, size_t more, const char* what, uint64_t extra_bytes = 0) {
    size_t capacity = GrownCapacity(entries->capacity(), entries->size() + more);
    Charge((capacity - entries->capacity()) * sizeof(T) + extra_bytes, what);
    entries->reserve(capacity);
  }
  // Bytes a hook holds for this push outside its vectors.
  void Charge(uint64_t bytes, const char* what);

  // Returns every byte charged to all three budgets. Idempotent.
  void Release();
  uint64_t held() const { return held_; }

 private:
  // What std::vector's push_back growth (doubling) reaches from `capacity`
  // to hold `needed` elements.
  static size_t GrownCapacity(size_t capacity, size_t needed) {
    size_t grown = capacity;
    while (grown < needed) grown = grown ? 2 * grown : 1;
    return grown;
  }

  const ServerOptions& options_;
  std::atomic<uint64_t>* server_bytes_;
  std::shared_ptr<ConnectionPushes> connection_;
  std::string push_id_;
  uint64_t held_ = 0;
};

}  // namespace blobgraph::server
