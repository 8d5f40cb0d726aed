// ProfileClient: the library side of the profile server. A runtime (or the
// blobgraph command) pushes what it recorded and pulls a warm start with it.
//
// The round trip of a runtime:
//
//   At start (warm start):
//     auto client = ProfileClient::Connect(options);          // address, token, TLS
//     (*client)->PullInto(*local_store, {.max_functions = 100000});  // replaces the last pull
//     auto start = (*client)->StartSet(256);                   // fetch these first
//     // open the Engine on the local store; prefetch from it as usual
//   At exit (push what it recorded):
//     // the engine flushed the run into local_store (its own observations)
//     auto pushed = (*client)->PushObservations(*local_store);  // unsent only, once
//   or push a GraphUpdate of its own making:
//     GraphUpdate recorded = ...;  // the run's edges (dynamic counts), names, load order
//     recorded.profile = ProfileInfo::NewForThisHost();  // fresh id, once per run
//     Status pushed = (*client)->Push(recorded);
//
// Push is retry-safe: the server applies a profile id at most once, so Push
// reconnects and pushes again on a lost connection (up to max_attempts),
// and a caller may also keep the same GraphUpdate (same id) and call Push
// again later, even against a restarted server. It returns only once the
// server has applied the push and synced it to disk, or found the id applied
// before. A server that is down or unreachable makes a runtime start cold,
// never fail: treat every error here as "no warm start".
//
// Threads: the client runs its own event-loop thread; every method may be
// called from any thread, calls are serialised. Destroying the client closes
// the connection. Errors: kIOError (connect, disconnect, timeout), kBusy
// (server over its connection limit or shutting down), kInvalidInput (the
// server refused the request: bad token, oversized push, ...), and the
// server's own Status codes as it sent them.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "blobgraph/engine.h"
#include "blobgraph/graph_store.h"
#include "blobgraph/status.h"

namespace blobgraph::server {

struct ClientTlsOptions {
  bool enabled = false;
  std::string ca_file;      // PEM certificate(s) to trust; empty: the system trust store
  std::string server_name;  // name the certificate must carry; empty: the address's host
};

// A token file (what `blobgraph serve --token-file` reads): its content
// without trailing whitespace. kIOError naming the file when it cannot be
// read, kInvalidInput when it is empty.
Result<std::string> ReadTokenFile(const std::string& path);

struct ClientOptions {
  std::string address = "127.0.0.1:7979";  // HOST[:PORT]
  std::string token;                       // the token itself (see ReadTokenFile)
  ClientTlsOptions tls;
  uint32_t max_attempts = 5;                     // per call, counting the first
  std::chrono::milliseconds retry_backoff{100};  // doubled after each failed attempt
  std::chrono::milliseconds call_timeout{120000};
  uint32_t chunk_entries = 16384;  // entries per streamed push chunk
};

struct PullOptions {
  // All zero: the whole merged graph. Otherwise its hot part: functions
  // ranked by observed calls, at most max_functions of them, whose edges fit
  // in max_bytes (wire size), each with at least min_calls calls.
  uint64_t max_functions = 0;
  uint64_t max_bytes = 0;
  uint64_t min_calls = 0;
  bool include_names = true;
};

struct PushResult {
  bool already_applied = false;  // the id was applied before: nothing changed
  uint64_t edges_applied = 0;
  uint32_t attempts = 1;
};

struct ServerStats {
  StoreStats store;
  uint64_t pushes_applied = 0;  // since the server started
  uint64_t pushes_duplicate = 0;
  uint64_t pushes_failed = 0;
  uint64_t edges_applied = 0;
  uint32_t connections_open = 0;
  uint64_t connections_total = 0;
  SnapshotInfo snapshot;  // the server engine's hot snapshot
  uint64_t uptime_ms = 0;
};

// The server's profile records (Session.profiles), in id order.
struct ServerProfiles {
  std::vector<ProfileRecord> profiles;
  uint64_t total = 0;      // records the server holds
  bool truncated = false;  // more than the answer's cap: `profiles` is the first part
};

class ProfileClient {
 public:
  // Connects and authenticates. Errors as above; a wrong token is
  // kInvalidInput "... authentication failed".
  static Result<std::unique_ptr<ProfileClient>> Connect(const ClientOptions& options);
  ~ProfileClient();
  ProfileClient(const ProfileClient&) = delete;
  ProfileClient& operator=(const ProfileClient&) = delete;

  // REQUIRES: update.profile is set (its id makes the push idempotent).
  // Sends edges, names, functions, `runs` (load orders), `loads` and
  // `run_weight`; a server older than load statistics refuses a push with
  // loads (nothing applied).
  Result<PushResult> Push(const GraphUpdate& update);
  // The merged graph (edges with merged counts, names, functions known only
  // by declaration) with the load records of the functions it holds (all of
  // them for a full pull, the selected functions' for a hot one) and the
  // server's run weight total in `loads` and `run_weight`, so a store that
  // applies it has a start set; `profile` and `runs` are left empty. An
  // older server sends no loads (run_weight 0).
  Result<GraphUpdate> Pull(const PullOptions& options = {});

  // The store's side of the round trip (profile_client_store.cc). A store
  // sends only what it observed itself, each observation exactly once:
  // PushObservations seals store's unsent observations into its outgoing
  // batch under one profile id (GraphStore::SealUnsent; a batch left by an
  // earlier call is resent unchanged, same id), pushes it, and once the
  // server acknowledged it deletes the batch (ClearOutgoing). Exactly once
  // even when an acknowledgement is lost or the process dies between push
  // and clear: the next call resends the same id and the server answers
  // already_applied without counting it again. Observations recorded
  // meanwhile go in the next batch. Nothing unsent and no batch: nothing is
  // pushed (edges_applied 0). A failed push keeps the batch for the next
  // call.
  Result<PushResult> PushObservations(GraphStore& store);
  // Pull(options) applied to `store` as a pull (UpdateOrigin::kPulled): it
  // replaces what the previous pull into the store brought. Returns what
  // was pulled.
  Result<GraphUpdate> PullInto(GraphStore& store, const PullOptions& options = {});
  Result<std::vector<BlobHash>> StartSet(uint32_t max);
  // Most probable first; max 0 = all.
  Result<std::vector<CalleeInfo>> Callees(const BlobHash& caller, uint32_t max = 0);
  Result<std::vector<Prediction>> Prefetch(const BlobHash& hash,
                                           const PrefetchOptions& options = {});
  Result<ServerStats> Stats();

  // Takes back a profile the server merged: streams `update` (the profile's
  // file as read) like Push, and the server subtracts exactly what merging
  // it added (GraphStore::Retract), synced, once. already_retracted for an
  // id retracted before (nothing changed). Errors: kNotFound (the server
  // never merged the id), kInvalidInput (not the profile that was merged:
  // its digest differs), and those of Push. REQUIRES: update.profile set.
  Result<RetractOutcome> Retract(const GraphUpdate& update);
  // The server's merged profiles, retracted ones too: at most `max` (0: the
  // server's cap, schema kMaxProfileEntries).
  Result<ServerProfiles> Profiles(uint32_t max = 0);

  // Drops the connection; the next call reconnects. For tests and for
  // runtimes that fork.
  void Disconnect();

 private:
  struct Impl;
  explicit ProfileClient(std::unique_ptr<Impl> impl);
  // Push (retract false) or Retract: the same stream, a different begin call.
  Result<PushResult> Send(const GraphUpdate& update, bool retract);
  std::unique_ptr<Impl> impl_;
};

}  // namespace blobgraph::server
