// GraphStore: the persistent call graph, on RocksDB.
//
// Holds, per caller -> callee edge, a static count (call sites, from blob
// dependencies) and a dynamic count (observed calls); beside them per-function
// totals, names, warm-start load statistics and the ids of merged profiles.
// The key layout is documented byte by byte in storage/key_layout.h.
//
// Ownership: Open() returns the only handle; destroying it closes the store.
// Threads: every method may be called from any thread. Writes are serialised
// inside the store (one writer at a time; RocksDB's LOCK file keeps other
// processes out), reads run concurrently with them.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "blobgraph/blob_hash.h"
#include "blobgraph/feedback_stats.h"
#include "blobgraph/probability.h"
#include "blobgraph/status.h"

namespace blobgraph {

// An increment to one edge. Dynamic counts add up. Static counts are a fact
// of the caller's content hash and are set once per caller: see Apply().
struct EdgeDelta {
  BlobHash caller;
  BlobHash callee;
  uint64_t static_count = 0;
  uint64_t dynamic_count = 0;
};

// Predictions of `callee` that an engine issued because of the edge from
// `caller` (the last edge of the prediction's best path) and that were never
// used in their run (Engine's waste rule). Added up per edge, aged by Decay
// like dynamic counts; PrefetchModel counts each as a run of the caller that
// did not take the edge.
struct EdgeWaste {
  BlobHash caller;
  BlobHash callee;
  uint64_t count = 0;
};

// One callee of a caller as stored, with its probability under the store's model.
struct CalleeInfo {
  BlobHash callee;
  uint64_t static_count = 0;
  uint64_t dynamic_count = 0;
  double probability = 0.0;   // the store's model; wasted_count is not in it
  uint64_t wasted_count = 0;  // wasted predictions of this edge (EdgeWaste)
};

// Per-function totals.
struct NodeRecord {
  BlobHash hash;
  uint64_t out_static = 0;   // call sites in this function
  uint64_t out_dynamic = 0;  // observed calls made by this function
  uint64_t in_static = 0;    // call sites that target this function
  uint64_t in_dynamic = 0;   // observed calls into this function
  uint64_t callers = 0;      // distinct functions with an edge to this one
  uint64_t callees = 0;      // distinct functions this one has an edge to
};

// Warm-start statistics of one function: in how many recorded runs it was
// loaded, and where (its first-load positions; 0 = first).
//
// The store keeps them as run weights in fixed point, kRunWeight per run,
// so that ageing fades them instead of erasing them: Decay(f) multiplies
// every weight by f (rounding down to a unit), a run's weight goes 1, f,
// f^2, ... and a record goes only when its weight falls below one unit
// (1/65536 of a run: after 16 decays at 0.5). A single recent run is never
// rounded away by one decay, and a run recorded after ageing outweighs the
// aged ones.
struct LoadRecord {
  static constexpr uint64_t kRunWeight = uint64_t{1} << 16;  // per run

  BlobHash hash;
  uint64_t runs = 0;             // whole runs, rounded up: a faded run still counts
  uint64_t position_sum = 0;     // sum of first-load positions, rounded to whole ones
  uint64_t run_weight = 0;       // the runs in fixed point, kRunWeight per run
  uint64_t position_weight = 0;  // the position sum in fixed point, same unit
  double MeanPosition() const {
    return run_weight ? static_cast<double>(position_weight) / static_cast<double>(run_weight)
                      : 0.0;
  }
};

// A profile's identity: merging refuses an id already merged.
struct ProfileInfo {
  std::array<uint8_t, 16> id{};
  std::string source_host;
  int64_t created_unix_ms = 0;

  static ProfileInfo NewForThisHost();  // random id, hostname, now
  std::string IdHex() const;
  static Result<std::array<uint8_t, 16>> ParseId(std::string_view hex);
};

struct StoreStats {
  uint64_t functions = 0;  // node records
  uint64_t edges = 0;      // distinct caller -> callee pairs
  uint64_t static_total = 0;
  uint64_t dynamic_total = 0;
  uint64_t bytes_on_disk = 0;  // all files of the store directory
  uint64_t runs = 0;           // recorded runs (warm-start statistics), whole runs
                               // rounded up: runs faded by Decay still count
  uint64_t run_weight = 0;     // the same exactly, LoadRecord::kRunWeight per run
  uint64_t profiles = 0;       // merged profile ids (retracted ones too)
  uint64_t profiles_retracted = 0;
  uint64_t unsent_edges = 0;    // edges of this store's own observations not yet sent
  uint64_t pulled_edges = 0;    // edges the last pull brought
  uint64_t outgoing_edges = 0;  // edges sealed for a push, not yet acknowledged
  FeedbackStats feedback;       // lifetime totals of every engine on this store
};

// The later loads of a run whose beginning an earlier update already wrote
// (in GraphUpdate::runs): Engine::Flush persists a run's first-load order as
// it grows. loads[i] was first loaded at position first_position + i of that
// run. They add to the warm-start statistics like a run's loads, but the
// store's run count is not incremented again.
struct RunContinuation {
  uint64_t first_position = 0;
  std::vector<BlobHash> loads;
};

// Warm-start statistics of one function as a profile carries them:
// aggregated over the profile's runs, in LoadRecord's fixed point
// (kRunWeight per run; a run that loads the function at position p adds
// kRunWeight to run_weight and p * kRunWeight to position_weight).
struct LoadWeights {
  BlobHash hash;
  uint64_t run_weight = 0;
  uint64_t position_weight = 0;
};

// Where an update's counts come from. Decides what a store sends as its own
// observation (export, push) and what a later pull replaces.
//   kObserved  this store saw it (record, the engine's flushes, imports of
//              dependency lists and blob stores): also kept in the store's
//              unsent observations until they are handed over (MarkSent).
//   kMerged    another store's profile (update.profile set): applied once
//              per profile id, listed by ForEachProfile, retractable; never
//              sent again as this store's own.
//   kPulled    a profile server's graph: replaces what the previous pull
//              added (a refresh, never a second copy); never sent as own.
enum class UpdateOrigin : uint8_t { kObserved, kMerged, kPulled };

// Everything one logical write adds. Apply() makes it all durable together or
// not at all.
struct GraphUpdate {
  std::vector<EdgeDelta> edges;                         // repeats are summed
  std::vector<BlobHash> functions;                      // declared, maybe callee-less
  std::vector<std::pair<BlobHash, std::string>> names;  // last write wins
  std::vector<std::vector<BlobHash>> runs;              // each: one run's first-load order
  std::vector<RunContinuation> run_continuations;       // later loads of runs written before
  std::optional<ProfileInfo> profile;                   // merged profile's identity
  FeedbackStats feedback;                               // added to the lifetime totals
  // Aggregated warm-start statistics (profiles carry these, not load orders):
  // per function, and the run weight of all runs behind them (kRunWeight per
  // run). Added like `runs`; repeats of a hash are summed.
  std::vector<LoadWeights> loads;
  uint64_t run_weight = 0;
  // kPulled marks a pull (see UpdateOrigin). kObserved with `profile` set is
  // read as kMerged: origin() is the one to ask.
  UpdateOrigin source = UpdateOrigin::kObserved;
  // Wasted predictions per edge (repeats are summed; sums saturate at
  // 2^64 - 1). Local feedback of this store's engines: kept beside the
  // graph, never in the unsent layer, so export, push, Retract and profile
  // digests do not carry it. A count on an edge the store does not hold is
  // kept but read by nobody until the edge appears.
  std::vector<EdgeWaste> wasted;

  UpdateOrigin origin() const {
    if (source == UpdateOrigin::kPulled) return UpdateOrigin::kPulled;
    return profile ? UpdateOrigin::kMerged : UpdateOrigin::kObserved;
  }
  bool empty() const {
    return edges.empty() && functions.empty() && names.empty() && runs.empty() &&
           run_continuations.empty() && !profile && feedback.empty() && loads.empty() &&
           run_weight == 0 && wasted.empty();
  }
};

// A merged profile as the store keeps it: its identity, a digest of what it
// added (ProfileDigest), and whether it was retracted. Never its contents.
struct ProfileRecord {
  ProfileInfo info;
  std::array<uint8_t, 32> digest{};  // all zero: merged before digests were kept
  uint64_t edges = 0;                // edge entries the profile carried
  int64_t merged_unix_ms = 0;
  bool retracted = false;
  int64_t retracted_unix_ms = 0;
};

// SHA-256 over a canonical form of what `update` adds (its id, its edges
// summed per caller -> callee and sorted, its declared functions sorted, its
// load statistics with `runs` folded in, summed and sorted, its run weight;
// names are not counted): equal for the same profile read from any format.
std::array<uint8_t, 32> ProfileDigest(const GraphUpdate& update);

struct RetractOutcome {
  bool already_retracted = false;  // nothing changed
  uint64_t edges = 0;              // edge entries subtracted
};

struct StoreOptions {
  bool create_if_missing = true;
  // Opens without the writer lock: many readers may open a store another
  // process writes to. Writes fail with kInvalidInput.
  bool read_only = false;
  // Synced writes reach stable storage before Apply() returns (survive a
  // power cut); unsynced ones survive a process crash, not a power cut.
  bool sync_writes = false;
  ProbabilityModel model;
  // RocksDB's block cache, an upper bound (it fills only as blocks are
  // read). 512 MiB holds the uncompressed edge rows of a ~10M-edge store,
  // which keeps Callees() near 5 us; smaller stores use what they need.
  size_t block_cache_bytes = 512ull << 20;
};

enum class WriteMethod : uint8_t {
  kAuto,        // WriteBatch for small updates, SST ingestion for large ones
  kWriteBatch,  // one RocksDB WriteBatch
  kIngest,      // SstFileWriter files ingested atomically (bulk import)
};

struct ApplyOptions {
  WriteMethod method = WriteMethod::kAuto;
  bool force = false;  // merge a profile even if its id was merged before
};

class GraphStore {
 public:
  // Creates or opens the store at `path`. An existing store is checked
  // read-only first; nothing in its directory is written unless it passes.
  // Errors: kBusy (another process has it open), kIncompatible (newer format,
  // or a directory that is not a blobgraph store), kCorruption naming the
  // damaged file (a MANIFEST shorter than the store recorded, a missing table
  // file, a WAL damaged before its last record or missing writes the store
  // recorded as durable), kIOError. A WAL whose last record a crash cut short
  // opens with every earlier write.
  static Result<std::unique_ptr<GraphStore>> Open(const std::string& path,
                                                  const StoreOptions& options = {});
  virtual ~GraphStore() = default;
  GraphStore(const GraphStore&) = delete;
  GraphStore& operator=(const GraphStore&) = delete;

  // Applies `update` atomically: all of it or none. With update.profile set,
  // refuses (kInvalidInput naming the id) a profile merged before unless
  // options.force.
  //
  // Static call sites: a caller's static list (its callees with a static
  // count, summed over the update's repeats) is set by the first update that
  // brings one. An update repeating the stored list adds no static count (a
  // retried import is a no-op); one with a different list is refused
  // (kInvalidInput naming the caller, nothing of the update applied).
  //
  // Counts never wrap: an update that would take an edge count, a caller's
  // sum of static or of dynamic counts, a function's incoming totals, a load
  // statistic or a lifetime feedback total past 2^64 - 1 is refused
  // (kInvalidInput naming the caller and callee, or the function/counter).
  // kCorruption (naming the column family and key) if a stored record it
  // reads does not decode.
  //
  // By update.origin(): kObserved updates also add what they add to the
  // graph to the store's unsent observations (Unsent); kPulled replaces what
  // the previous pull added (its dynamic counts and load statistics are
  // subtracted in the same atomic write; call sites stay; an empty pull
  // clears it); kMerged adds to the graph only.
  //
  // A failed write (kIOError naming the store and file, e.g. "No space left
  // on device") writes nothing. The store stays readable; RocksDB then
  // refuses writes, and each later Apply() (and Flush()) first tries to
  // resume them, so writing works again once the cause (disk space) is gone,
  // without reopening the store.
  virtual Status Apply(const GraphUpdate& update, const ApplyOptions& options = {}) = 0;

  // Ageing: multiplies every dynamic count and every warm-start statistic by
  // `factor` (0 < factor <= 1, rounding down: counts to whole calls, run
  // weights to 1/65536 of a run, see LoadRecord), then drops edges left with
  // no static count and a dynamic count below `drop_below`, and load records
  // left with no weight. Static counts never age. What the last pull
  // brought ages the same way (so a refresh never takes this store's own
  // counts); the unsent observations do not age. Atomic.
  virtual Status Decay(double factor, uint64_t drop_below) = 0;

  // Callees of `caller`, most probable first (ties: bytewise by hash).
  // Empty if the caller has no edges. Every probability is in [0, 1] and they
  // sum to at most 1 (up to rounding). Every read below returns kCorruption
  // naming the column family and the key in hex for a record that does not
  // decode.
  virtual Result<std::vector<CalleeInfo>> Callees(const BlobHash& caller) const = 0;
  // The function's totals; std::nullopt if the store has never seen it.
  virtual Result<std::optional<NodeRecord>> Node(const BlobHash& hash) const = 0;
  virtual Result<std::optional<std::string>> Name(const BlobHash& hash) const = 0;
  virtual Result<bool> HasProfile(const std::array<uint8_t, 16>& id) const = 0;
  // The record of a merged (or retracted) profile; std::nullopt if never merged.
  virtual Result<std::optional<ProfileRecord>> Profile(const std::array<uint8_t, 16>& id) const = 0;
  using ProfileVisitor = std::function<Status(const ProfileRecord&)>;
  // Every merged profile, retracted ones too, in id order.
  virtual Status ForEachProfile(const ProfileVisitor& visit) const = 0;

  // Subtracts exactly what merging `profile` added, once: its observed calls
  // and load statistics (scaled by the ageing since it was merged, rounding
  // down), the call sites of callers no other update brought, edges and
  // functions left with nothing; the profile stays listed as retracted.
  // REQUIRES: profile.profile set. kNotFound if the id was never merged;
  // kInvalidInput if `profile` is not what was merged (its ProfileDigest
  // differs from the one kept with the id); already_retracted (nothing
  // changed) for a second retraction. Atomic.
  virtual Result<RetractOutcome> Retract(const GraphUpdate& profile) = 0;

  // Visits every caller with its callees (sorted by probability), in hash
  // order. Stops early and returns the callback's status if it is not OK.
  using EdgeVisitor = std::function<Status(const BlobHash& caller, std::span<const CalleeInfo>)>;
  virtual Status ForEachCaller(const EdgeVisitor& visit) const = 0;
  using NodeVisitor = std::function<Status(const NodeRecord&)>;
  virtual Status ForEachNode(const NodeVisitor& visit) const = 0;
  using NameVisitor = std::function<Status(const BlobHash&, std::string_view name)>;
  virtual Status ForEachName(const NameVisitor& visit) const = 0;
  using LoadVisitor = std::function<Status(const LoadRecord&)>;
  virtual Status ForEachLoadRecord(const LoadVisitor& visit) const = 0;

  // This store's own observations not yet handed over (UpdateOrigin::kObserved
  // since the last MarkSent): edges with their static and dynamic counts,
  // declared functions, the names of the functions they mention, load
  // statistics and run weight; `profile` unset. What export and push send.
  virtual Result<GraphUpdate> Unsent() const = 0;
  // Marks `sent` (what Unsent() returned) as handed over: subtracts its counts
  // from the unsent observations, so observations recorded since stay unsent.
  // Atomic; kInvalidInput if `sent` holds more than is unsent.
  virtual Status MarkSent(const GraphUpdate& sent) = 0;
  // The outgoing batch: this store's unsent observations sealed under one
  // profile id for a push, kept until the push is acknowledged, so a push
  // retried after a lost acknowledgement or a restart carries the same id
  // (and the server applies it once). If a batch exists, returns it
  // unchanged (a retry). Otherwise moves everything unsent into a new batch
  // under ProfileInfo::NewForThisHost(), in one atomic write, and returns it
  // (`profile` set; edges, functions, loads, run weight and names as
  // Unsent()). Nothing unsent and no batch: an empty update, `profile`
  // unset. Observations recorded after the seal stay unsent (Unsent()).
  // kInvalidInput on a read-only store.
  virtual Result<GraphUpdate> SealUnsent() = 0;
  // Deletes the outgoing batch once the server acknowledged it, atomically.
  // kInvalidInput naming both ids if the batch has another id (or naming
  // `id` if there is none); nothing changed then.
  virtual Status ClearOutgoing(const std::array<uint8_t, 16>& id) = 0;

  virtual Result<StoreStats> Stats() const = 0;
  // The lifetime feedback totals alone (one read, unlike Stats()).
  virtual Result<FeedbackStats> LifetimeFeedback() const = 0;
  // The run weight of all recorded runs (the meta "runs" counter) in
  // LoadRecord's fixed point, exact (StoreStats::runs rounds it up to whole
  // runs); one read. What a pull sends with the load records.
  virtual Result<uint64_t> RunWeight() const = 0;
  // Reads every record and checks invariants and the format version; each
  // problem found is appended to `problems`. Status is non-OK only if the
  // check itself could not run.
  virtual Status Verify(std::vector<std::string>* problems) const = 0;

  // Makes every acknowledged write durable (flushes memtables and syncs).
  virtual Status Flush() = 0;
  // Compacts everything to the bottom level (smallest on disk).
  virtual Status CompactAll() = 0;

  virtual const std::string& path() const = 0;
  virtual const StoreOptions& options() const = 0;

 protected:
  GraphStore() = default;
};

}  // namespace blobgraph
