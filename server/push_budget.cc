#include "server/push_budget.h"

#include "core/quote.h"
#include "server/wire.h"

namespace blobgraph::server {
namespace {

// Heap bytes of a std::string of `size` characters: short ones (up to 15
// in libstdc++) live inside the object, longer ones take size + 1.
uint64_t StringHeapBytes(size_t size) { return size <= 15 ? 0 : size + 1; }

std::string Bytes(uint64_t bytes) { return std::to_string(bytes) + " bytes"; }

}  // namespace

void OpenPushSession(const ServerOptions& options, ConnectionPushes& connection) {
  if (connection.open >= options.max_open_pushes) {
    ThrowStatus(Status::InvalidInput(
        "beginPush: this connection already has " + std::to_string(connection.open) +
        " uncommitted pushes open, the limit (--max-open-pushes " +
        std::to_string(options.max_open_pushes) + "); commit or drop one first"));
  }
  ++connection.open;
}

void ClosePushSession(ConnectionPushes& connection) {
  if (connection.open > 0) --connection.open;
}

void CheckSourceHost(const ProfileInfo& profile) {
  if (profile.source_host.size() <= kMaxSourceHostBytes) return;
  ThrowStatus(Status::InvalidInput("beginPush: push " + profile.IdHex() + ": source host has " +
                                   Bytes(profile.source_host.size()) + ", over the limit of " +
                                   std::to_string(kMaxSourceHostBytes) + " (" +
                                   QuoteForMessage(profile.source_host) + ")"));
}

PushBudget::PushBudget(const ServerOptions& options, std::atomic<uint64_t>* server_bytes,
                       std::shared_ptr<ConnectionPushes> connection, std::string push_id)
    : options_(options),
      server_bytes_(server_bytes),
      connection_(std::move(connection)),
      push_id_(std::move(push_id)) {}

PushBudget::PushBudget(PushBudget&& other) noexcept
    : options_(other.options_),
      server_bytes_(other.server_bytes_),
      connection_(std::move(other.connection_)),
      push_id_(std::move(other.push_id_)),
      held_(other.held_) {
  other.held_ = 0;
}

void PushBudget::Charge(uint64_t bytes, const char* what) {
  if (bytes == 0) return;
  auto refuse = [&](Status::Code code, uint64_t would, uint64_t limit, const char* budget,
                    const char* flag) {
    std::string message = std::string(what) + ": push " + push_id_ + " refused: " + budget +
                          " would hold " + Bytes(would) + ", over the limit of " + Bytes(limit) +
                          " (" + flag + " " + std::to_string(limit) +
                          "); nothing of this push is kept";
    ThrowStatus(code == Status::Code::kBusy ? Status::Busy(message)
                                            : Status::InvalidInput(message));
  };
  if (held_ + bytes > options_.max_push_bytes) {
    refuse(Status::Code::kInvalidInput, held_ + bytes, options_.max_push_bytes, "this push",
           "--max-push-bytes");
  }
  // Add first, then check, so concurrent chargers never pass the limit
  // together; a refused charge takes its bytes back.
  uint64_t connection = connection_->bytes.fetch_add(bytes) + bytes;
  if (connection > options_.max_connection_bytes) {
    connection_->bytes.fetch_sub(bytes);
    refuse(Status::Code::kBusy, connection, options_.max_connection_bytes,
           "this connection's pushes", "--max-connection-bytes");
  }
  uint64_t server = server_bytes_->fetch_add(bytes) + bytes;
  if (server > options_.max_pending_bytes) {
    server_bytes_->fetch_sub(bytes);
    connection_->bytes.fetch_sub(bytes);
    refuse(Status::Code::kBusy, server, options_.max_pending_bytes, "the server's pending pushes",
           "--max-pending-bytes");
  }
  held_ += bytes;
}

void PushBudget::ReserveEdges(std::vector<EdgeDelta>* edges, size_t more, const char* what) {
  CheckChunkSize(more, what);
  Reserve(edges, more, what);
}

void PushBudget::ReserveHashes(std::vector<BlobHash>* hashes, size_t more, const char* what) {
  CheckChunkSize(more, what);
  Reserve(hashes, more, what);
}

void PushBudget::ReserveNames(std::vector<std::pair<BlobHash, std::string>>* names,
                              capnp::List<schema::NamedFunction>::Reader chunk, const char* what) {
  CheckChunkSize(chunk.size(), what);
  uint64_t heap = 0;
  for (size_t i = 0; i < chunk.size(); ++i) {
    size_t size = chunk[i].getName().size();
    if (size > options_.max_name_bytes) {
      auto hash = chunk[i].getHash();
      std::string function = hash.size() == BlobHash::kSize
                                 ? BlobHash::FromBytes(hash.begin()).ToHex()
                                 : std::string("with a malformed hash");
      ThrowStatus(Status::InvalidInput(std::string(what) + ": push " + push_id_ + ": entry " +
                                       std::to_string(i) + " (function " + function +
                                       "): name has " + Bytes(size) + ", over the limit of " +
                                       Bytes(options_.max_name_bytes) + " (--max-name-bytes)"));
    }
    heap += StringHeapBytes(size);
  }
  Reserve(names, chunk.size(), what, heap);
}

void PushBudget::ReserveRun(std::vector<std::vector<BlobHash>>* runs, size_t length,
                            const char* what) {
  CheckChunkSize(length, what);
  Reserve(runs, 1, what, length * sizeof(BlobHash));
}

void PushBudget::Release() {
  if (held_ == 0) return;
  server_bytes_->fetch_sub(held_);
  connection_->bytes.fetch_sub(held_);
  held_ = 0;
}

}  // namespace blobgraph::server
