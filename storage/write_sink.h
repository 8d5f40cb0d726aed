// WriteSink: collects the entries of one logical write and commits them
// atomically, either as one RocksDB WriteBatch or as SST files (one per column
// family) ingested together with DB::IngestExternalFiles. Internal to
// storage/. A sink is used by one thread, for one write, under the store's
// writer mutex. The ingest sink runs its SstFileWriters on a helper thread of
// its own (started once an update passes a few MB, joined by Commit or the
// destructor); its errors come back from a later Put/Merge/Delete or Commit.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>

#include "blobgraph/status.h"
#include "storage/key_layout.h"

namespace blobgraph::storage {

// Borrowed view of an open store's RocksDB objects; the store owns them.
struct DbHandles {
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> families;  // indexed by Cf
  std::string path;                                    // for messages
  rocksdb::ColumnFamilyHandle* family(Cf cf) const { return families[static_cast<size_t>(cf)]; }
};

class WriteSink {
 public:
  virtual ~WriteSink() = default;
  // For an ingest sink, keys of one column family must come in strictly
  // ascending order (SstFileWriter's rule); a batch sink takes any order.
  virtual Status Put(Cf cf, std::string_view key, std::string_view value) = 0;
  virtual Status Merge(Cf cf, std::string_view key, std::string_view value) = 0;
  virtual Status Delete(Cf cf, std::string_view key) = 0;
  // Makes everything added durable and visible at once, or nothing. Once.
  virtual Status Commit() = 0;
};

// `expected_bytes` sizes the batch up front (a hint; it may grow past it).
std::unique_ptr<WriteSink> NewBatchSink(const DbHandles& handles, bool sync,
                                        size_t expected_bytes = 0);

// Writes SST files under `temp_dir` (created if missing); they are removed
// when the sink is destroyed, whether or not Commit() succeeded.
std::unique_ptr<WriteSink> NewIngestSink(const DbHandles& handles, std::string temp_dir);

// The directory an ingest sink of the store at `store_path` uses.
std::string IngestTempDir(const std::string& store_path);

}  // namespace blobgraph::storage
