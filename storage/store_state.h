// store_state: what a store records about itself, outside RocksDB, so that
// damage RocksDB recovers from silently is caught when the store is opened.
//
// RocksDB reads its MANIFEST as a log that may end anywhere: a MANIFEST cut
// short opens as an older state (at worst an empty store) and the next
// write deletes the table files it no longer lists. A write-ahead log cut
// short or removed opens without its writes. Neither is an error to
// RocksDB. So the store keeps, in STORE/BLOBGRAPH-STATE, the MANIFEST it
// last saw (number and size: a MANIFEST only grows until RocksDB replaces
// it with a higher-numbered one) and the highest sequence number known to
// be durable (flushed into table files, ingested, or in a synced WAL).
// An opened store must be at or past both.
//
// File format (ASCII, one field per line, "\n" after each):
//   blobgraph-state 1
//   manifest <number> <bytes>
//   sequence <number>
// Written whole to BLOBGRAPH-STATE.tmp, fsynced, renamed over
// BLOBGRAPH-STATE and the directory fsynced: a crash leaves the old or the
// new file, never a torn one. It lags the store by design (it is written
// after the MANIFEST and WAL it describes), so it can only under-state it:
// a crash at any point leaves no false alarm.
//
// Internal to storage/. Pure functions and one thread-safe recorder.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include <rocksdb/db.h>
#include <rocksdb/listener.h>

#include "blobgraph/status.h"

namespace blobgraph::storage {

struct StoreState {
  uint64_t manifest_number = 0;
  uint64_t manifest_bytes = 0;
  uint64_t sequence = 0;
};

inline constexpr const char* kStoreStateFile = "BLOBGRAPH-STATE";

// std::nullopt if the store has no state file (made by an older blobgraph).
// kCorruption naming the file if it does not parse.
Result<std::optional<StoreState>> ReadStoreState(const std::string& store_path);
// Atomic replace, as described above. kIOError naming the file.
Status WriteStoreState(const std::string& store_path, const StoreState& state);

// Before RocksDB opens the store: the MANIFEST named by CURRENT must be the
// recorded one and at least as long, or a later one. kCorruption naming the
// MANIFEST otherwise.
Status CheckManifest(const std::string& store_path, const StoreState& recorded);
// After RocksDB recovered the store (read-only): its last sequence number
// must reach the recorded one. kCorruption naming the WAL files otherwise.
Status CheckSequence(const std::string& store_path, const StoreState& recorded,
                     uint64_t recovered_sequence);

// Keeps BLOBGRAPH-STATE current: registered as a listener of a read-write
// store, it rewrites the file after each flush, compaction and ingestion;
// the store calls Record() after opening and before closing. It also
// notices RocksDB's background errors (a failed WAL write, flush or
// compaction, e.g. on a full disk), after which RocksDB refuses writes
// until DB::Resume().
class StoreStateRecorder final : public rocksdb::EventListener {
 public:
  StoreStateRecorder(std::string store_path, const StoreState& initial)
      : path_(std::move(store_path)), last_(initial) {}

  const char* Name() const override { return "blobgraph::StoreStateRecorder"; }

  // Records the state of `db` now; `durable_sequence` is a sequence number
  // the caller knows to be durable (0: none beyond what is recorded). Best
  // effort: a failure (full disk) keeps the previous file, which only
  // under-states the store. Returns that failure for the caller to log.
  Status Record(rocksdb::DB* db, uint64_t durable_sequence);

  // True once RocksDB reported a background error that stops writes, until
  // ClearWritesStopped() (after a successful DB::Resume()).
  bool writes_stopped() const { return writes_stopped_.load(std::memory_order_acquire); }
  void ClearWritesStopped() { writes_stopped_.store(false, std::memory_order_release); }
  std::string stop_reason() const;

  void OnFlushCompleted(rocksdb::DB* db, const rocksdb::FlushJobInfo& info) override;
  void OnCompactionCompleted(rocksdb::DB* db, const rocksdb::CompactionJobInfo& info) override;
  void OnExternalFileIngested(rocksdb::DB* db,
                              const rocksdb::ExternalFileIngestionInfo& info) override;
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override;
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason reason, rocksdb::Status error,
                            bool* auto_recovery) override;

 private:
  const std::string path_;
  mutable std::mutex mutex_;  // serialises Record(); guards last_ and stop_reason_
  StoreState last_;
  std::string stop_reason_;
  std::atomic<bool> writes_stopped_{false};
};

}  // namespace blobgraph::storage
