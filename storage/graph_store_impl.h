// GraphStoreImpl: the RocksDB-backed GraphStore. Internal to storage/;
// created only by GraphStore::Open (open.cc). Owns the DB and its column
// family handles. Reads run on any thread without locks; every write (Apply,
// Decay) holds writer_mutex_, so a write's reads of current rows see no
// other write in progress.
//
// After a failed write (a full disk: WAL, flush, compaction) RocksDB keeps
// serving reads but refuses writes; the next Apply() or Flush() first asks
// RocksDB to resume (DB::Resume(): flushes what the memtables hold and
// clears the error) and, if the disk is still full, fails with kIOError
// without writing. So a long-running writer (the profile server) accepts
// writes again once space returns, with no restart.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include <rocksdb/db.h>

#include "blobgraph/graph_store.h"
#include "storage/count_math.h"
#include "storage/key_layout.h"
#include "storage/store_state.h"
#include "storage/write_sink.h"

namespace blobgraph::storage {

class GraphStoreImpl final : public GraphStore {
 public:
  // Takes ownership of `db` and of the handles in `families` (indexed by Cf).
  // `format_version`: the store's format (older only when opened read-only;
  // Open converts a writable one first). `recorder`: the listener keeping
  // the store's state file, registered with a read-write `db`; nullptr for a
  // read-only one.
  GraphStoreImpl(std::string path, const StoreOptions& options, std::unique_ptr<rocksdb::DB> db,
                 std::vector<rocksdb::ColumnFamilyHandle*> families,
                 int format_version = kFormatVersion,
                 std::shared_ptr<StoreStateRecorder> recorder = nullptr);
  ~GraphStoreImpl() override;

  Status Apply(const GraphUpdate& update, const ApplyOptions& options) override;
  Status Decay(double factor, uint64_t drop_below) override;

  Result<std::vector<CalleeInfo>> Callees(const BlobHash& caller) const override;
  Result<std::optional<NodeRecord>> Node(const BlobHash& hash) const override;
  Result<std::optional<std::string>> Name(const BlobHash& hash) const override;
  Result<bool> HasProfile(const std::array<uint8_t, 16>& id) const override;
  // Profile records and retraction: storage/retract.cc.
  Result<std::optional<ProfileRecord>> Profile(const std::array<uint8_t, 16>& id) const override;
  Status ForEachProfile(const ProfileVisitor& visit) const override;
  Result<RetractOutcome> Retract(const GraphUpdate& profile) override;

  Status ForEachCaller(const EdgeVisitor& visit) const override;
  Status ForEachNode(const NodeVisitor& visit) const override;
  Status ForEachName(const NameVisitor& visit) const override;
  Status ForEachLoadRecord(const LoadVisitor& visit) const override;

  Result<GraphUpdate> Unsent() const override;
  Status MarkSent(const GraphUpdate& sent) override;
  // The outgoing batch: storage/graph_store_outgoing.cc.
  Result<GraphUpdate> SealUnsent() override;
  Status ClearOutgoing(const std::array<uint8_t, 16>& id) override;

  Result<StoreStats> Stats() const override;
  Result<FeedbackStats> LifetimeFeedback() const override;
  Result<uint64_t> RunWeight() const override;
  Status Verify(std::vector<std::string>* problems) const override;
  Status Flush() override;
  Status CompactAll() override;

  const std::string& path() const override { return path_; }
  const StoreOptions& options() const override { return options_; }

 private:
  rocksdb::ColumnFamilyHandle* family(Cf cf) const { return handles_.family(cf); }
  Status RefuseIfReadOnly(const char* operation) const;
  // REQUIRES: writer_mutex_ held.
  Status ResumeIfStopped();
  // Verify()'s check of the store's files (verify_files.cc): appends a
  // problem per missing or resized table file and per mismatch with the
  // store's state file.
  Status VerifyFiles(std::vector<std::string>* problems) const;
  // Refuses a retracted id always, one merged before unless `force`.
  Status CheckProfile(const ProfileInfo& profile, bool force) const;
  // Apply() of a pull into a store holding an earlier one (layers.h).
  // REQUIRES: writer_mutex_ held.
  Status ApplyRefresh(const GraphUpdate& update);
  // Reads one value; *found false if absent.
  Status GetValue(Cf cf, std::string_view key, std::string* value, bool* found) const;
  std::unique_ptr<rocksdb::Iterator> NewScan(Cf cf, const rocksdb::Snapshot* snapshot) const;
  // `items`: the update's entry count, to size a write batch up front.
  std::unique_ptr<WriteSink> NewSink(bool ingest, size_t items = 0) const;
  // Turns a stored row into callees sorted by probability.
  Status RowToCallees(const BlobHash& caller, std::string_view row,
                      std::vector<CalleeInfo>* callees) const;

  const std::string path_;
  const StoreOptions options_;
  std::shared_ptr<StoreStateRecorder> recorder_;
  std::unique_ptr<rocksdb::DB> db_;
  DbHandles handles_;
  // Stored run weight per recorded run (format_upgrade.h): reads turn the
  // stored weights into kRunWeightUnit per run whatever the format.
  const uint64_t run_weight_unit_;
  // A stored run weight in kRunWeightUnit per run (saturating).
  uint64_t ToRunWeight(uint64_t stored) const {
    return SaturatingMul(stored, kRunWeightUnit / run_weight_unit_);
  }
  std::mutex writer_mutex_;
};

}  // namespace blobgraph::storage
