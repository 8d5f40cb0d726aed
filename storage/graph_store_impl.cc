#include "storage/graph_store_impl.h"

#include <algorithm>

#include "core/quote.h"
#include "storage/apply_writer.h"
#include "storage/corrupt_value.h"
#include "storage/format_upgrade.h"
#include "storage/layers.h"
#include "storage/profile_records.h"
#include "storage/rocks_status.h"

namespace blobgraph::storage {

GraphStoreImpl::GraphStoreImpl(std::string path, const StoreOptions& options,
                               std::unique_ptr<rocksdb::DB> db,
                               std::vector<rocksdb::ColumnFamilyHandle*> families,
                               int format_version, std::shared_ptr<StoreStateRecorder> recorder)
    : path_(std::move(path)),
      options_(options),
      recorder_(std::move(recorder)),
      db_(std::move(db)),
      run_weight_unit_(RunWeightUnitOf(format_version)) {
  handles_.db = db_.get();
  handles_.families = std::move(families);
  handles_.path = path_;
}

GraphStoreImpl::~GraphStoreImpl() {
  if (recorder_ != nullptr && !recorder_->writes_stopped() && db_->FlushWAL(/*sync=*/true).ok()) {
    // Every acknowledged write is in the synced WAL now: record that, so a
    // WAL later cut short or lost is reported on open, not silently missing.
    static_cast<void>(recorder_->Record(db_.get(), db_->GetLatestSequenceNumber()));
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles_.families) {
    if (handle == nullptr) continue;  // `layers`/`waste` of an older store opened read-only
    db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  // Close() reports errors our destructor cannot return; unsynced data is
  // already in the WAL, which is all a crash would keep either.
  db_->Close().PermitUncheckedError();
}

Status GraphStoreImpl::RefuseIfReadOnly(const char* operation) const {
  if (!options_.read_only) return Status::Ok();
  return Status::InvalidInput(path_ + ": " + operation + ": store was opened read-only");
}

Status GraphStoreImpl::ResumeIfStopped() {
  if (recorder_ == nullptr || !recorder_->writes_stopped()) return Status::Ok();
  rocksdb::Status resumed = db_->Resume();
  if (!resumed.ok()) {
    return Status::IOError(path_ + ": writes are stopped since a write failed (" +
                           recorder_->stop_reason() + "); resuming failed: " + resumed.ToString() +
                           "; nothing was written");
  }
  recorder_->ClearWritesStopped();
  return Status::Ok();
}

Status GraphStoreImpl::GetValue(Cf cf, std::string_view key, std::string* value,
                                bool* found) const {
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), family(cf), rocksdb::Slice(key.data(), key.size()), value);
  *found = status.ok();
  if (status.IsNotFound()) return Status::Ok();
  // A merge operand that fails to decode surfaces here as RocksDB's
  // Corruption: say which record.
  return FromRocks(status, path_ + ": reading " + DescribeKey(cf, key));
}

std::unique_ptr<rocksdb::Iterator> GraphStoreImpl::NewScan(
    Cf cf, const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  read.fill_cache = false;  // a full scan would evict the point-lookup working set
  read.readahead_size = 2 << 20;
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(read, family(cf)));
}

std::unique_ptr<WriteSink> GraphStoreImpl::NewSink(bool ingest, size_t items) const {
  if (ingest) return NewIngestSink(handles_, IngestTempDir(path_));
  // An edge costs ~36 bytes in its caller's row operand and up to ~45 in
  // its callee's node operand; reserving spares the batch its regrowth
  // copies. Capped: a hint must not allocate far more than a batch needs.
  constexpr size_t kBytesPerItem = 64, kMaxReserve = 64 << 20;
  return NewBatchSink(handles_, options_.sync_writes,
                      std::min(items, kMaxReserve / kBytesPerItem) * kBytesPerItem);
}

Status GraphStoreImpl::CheckProfile(const ProfileInfo& profile, bool force) const {
  std::string value;
  bool found = false;
  BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kProfiles, ProfileKey(profile.id), &value, &found));
  if (!found) return Status::Ok();
  StoredProfile stored;
  std::string origin;
  if (DecodeStoredProfile(value, &stored)) {
    origin = " (from host " + QuoteForMessage(stored.record.info.source_host) +
             ", created at unix ms " + std::to_string(stored.record.info.created_unix_ms) + ")";
  }
  if (stored.record.retracted) {
    return Status::InvalidInput(path_ + ": profile " + profile.IdHex() + origin +
                                " was retracted; a retracted profile is never merged again "
                                "(not even with force); nothing was changed");
  }
  if (force) return Status::Ok();
  return Status::InvalidInput(path_ + ": profile " + profile.IdHex() + origin +
                              " was merged before; merge with force to add it again");
}

Status GraphStoreImpl::Apply(const GraphUpdate& update, const ApplyOptions& apply) {
  BLOBGRAPH_RETURN_IF_ERROR(RefuseIfReadOnly("Apply"));
  const UpdateOrigin origin = update.origin();
  // An empty pull still replaces the previous one (the server's graph is empty).
  if (update.empty() && origin != UpdateOrigin::kPulled) return Status::Ok();
  std::lock_guard<std::mutex> lock(writer_mutex_);
  BLOBGRAPH_RETURN_IF_ERROR(ResumeIfStopped());
  if (origin == UpdateOrigin::kMerged) {
    BLOBGRAPH_RETURN_IF_ERROR(CheckProfile(*update.profile, apply.force));
  }
  LayerTarget layer;
  if (origin == UpdateOrigin::kObserved) layer.layer = Layer::kUnsent;
  if (origin == UpdateOrigin::kPulled) {
    layer.layer = Layer::kPulled;
    bool refresh = false;
    BLOBGRAPH_RETURN_IF_ERROR(HasPulledLayer(handles_, &refresh));
    // A refresh Puts recomputed rows that the new pull's Merges apply on
    // top of, in one WriteBatch; a first pull keeps the fast path below.
    if (refresh) return ApplyRefresh(update);
  }
  size_t items =
      update.edges.size() + update.functions.size() + update.names.size() + update.wasted.size();
  for (const auto& run : update.runs) items += run.size();
  for (const auto& part : update.run_continuations) items += part.loads.size();
  bool ingest = apply.method == WriteMethod::kIngest ||
                (apply.method == WriteMethod::kAuto && items > kAutoIngestThreshold);
  std::unique_ptr<WriteSink> sink = NewSink(ingest, items);
  BLOBGRAPH_RETURN_IF_ERROR(EmitUpdate(handles_, update, sink.get(), layer));
  return sink->Commit();
}

Status GraphStoreImpl::ApplyRefresh(const GraphUpdate& update) {
  size_t items = update.edges.size() + update.functions.size() + update.names.size();
  std::unique_ptr<WriteSink> batch = NewSink(/*ingest=*/false, items);
  RowOverlay overlay;
  BLOBGRAPH_RETURN_IF_ERROR(EmitPulledRemoval(handles_, batch.get(), &overlay));
  LayerTarget layer{Layer::kPulled, &overlay};
  BLOBGRAPH_RETURN_IF_ERROR(EmitUpdate(handles_, update, batch.get(), layer));
  return batch->Commit();
}

Result<GraphUpdate> GraphStoreImpl::Unsent() const { return ReadUnsent(handles_); }

Status GraphStoreImpl::MarkSent(const GraphUpdate& sent) {
  BLOBGRAPH_RETURN_IF_ERROR(RefuseIfReadOnly("MarkSent"));
  std::lock_guard<std::mutex> lock(writer_mutex_);
  BLOBGRAPH_RETURN_IF_ERROR(ResumeIfStopped());
  std::unique_ptr<WriteSink> batch = NewSink(/*ingest=*/false, sent.edges.size());
  BLOBGRAPH_RETURN_IF_ERROR(EmitMarkSent(handles_, sent, batch.get()));
  return batch->Commit();
}

Status GraphStoreImpl::Flush() {
  if (options_.read_only) return Status::Ok();  // nothing of ours to make durable
  {
    std::lock_guard<std::mutex> lock(writer_mutex_);
    BLOBGRAPH_RETURN_IF_ERROR(ResumeIfStopped());
  }
  rocksdb::FlushOptions flush;
  flush.wait = true;
  BLOBGRAPH_RETURN_IF_ERROR(
      FromRocks(db_->Flush(flush, handles_.families), path_ + ": flushing memtables"));
  return FromRocks(db_->FlushWAL(/*sync=*/true), path_ + ": syncing the write-ahead log");
}

Status GraphStoreImpl::CompactAll() {
  BLOBGRAPH_RETURN_IF_ERROR(RefuseIfReadOnly("CompactAll"));
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  for (size_t i = 0; i < kCfCount; ++i) {
    if (handles_.families[i] == nullptr) continue;
    BLOBGRAPH_RETURN_IF_ERROR(
        FromRocks(db_->CompactRange(compact, handles_.families[i], nullptr, nullptr),
                  path_ + ": compacting " + CfName(static_cast<Cf>(i))));
  }
  return Status::Ok();
}

}  // namespace blobgraph::storage
