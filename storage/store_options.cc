#include "storage/store_options.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include "storage/info_log.h"
#include "storage/merge_operators.h"

namespace blobgraph::storage {
namespace {

// Edge rows are ~300 bytes of mostly random 32-byte callee hashes; the
// popular callees of a power-law graph repeat across rows, which is what
// compression can win. ZSTD with a trained dictionary on the bottom level
// (where compaction, and SstFileWriter for ingestion, put nearly all data)
// catches the repeats across blocks; upper levels use LZ4 for cheap
// flushes. Measured in bench/storage_bench.cc.
void SetCompression(rocksdb::ColumnFamilyOptions* cf, bool dictionary) {
  cf->compression = rocksdb::kLZ4Compression;
  cf->bottommost_compression = rocksdb::kZSTD;
  cf->bottommost_compression_opts.enabled = true;
  cf->bottommost_compression_opts.level = 3;
  if (dictionary) {
    cf->bottommost_compression_opts.max_dict_bytes = 32 << 10;
    cf->bottommost_compression_opts.zstd_max_train_bytes = 100 * (32 << 10);
    // Bounds the blocks held back while the dictionary is sampled (else a
    // whole output file is buffered in memory).
    cf->bottommost_compression_opts.max_dict_buffer_bytes = 16 << 20;
  }
}

rocksdb::BlockBasedTableOptions TableOptions(Cf cf, const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.format_version = 5;
  table.checksum = rocksdb::kXXH3;
  // Point lookups dominate (callees of X, node of X, existing-row reads).
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  table.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  table.block_size = cf == Cf::kEdges ? 16 << 10 : 8 << 10;
  return table;
}

}  // namespace

rocksdb::ColumnFamilyOptions ColumnFamilyOptionsFor(Cf cf,
                                                    const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions options;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(TableOptions(cf, cache)));
  options.level_compaction_dynamic_level_bytes = true;
  options.write_buffer_size = cf == Cf::kEdges || cf == Cf::kNodes ? 64 << 20 : 16 << 20;
  options.target_file_size_base = 64 << 20;
  options.max_bytes_for_level_base = 256 << 20;
  // A whole-key bloom filter on each memtable: the existence reads of
  // Apply() (one per caller of an update) and point reads skip the skip-list
  // search for keys the memtable does not hold, which is most of them.
  options.memtable_prefix_bloom_size_ratio = 0.02;
  options.memtable_whole_key_filtering = true;
  if (cf == Cf::kNodes || cf == Cf::kLoads || cf == Cf::kProfiles || cf == Cf::kLayers ||
      cf == Cf::kWaste) {
    // Records of a random 32- or 16-byte key and a few varints: little
    // compresses but the zeroed sequence numbers of bottom-level keys. LZ4
    // keeps half of what ZSTD won there (storage_bench, 200k functions:
    // ZSTD 25.3, LZ4 26.0, none 26.6 bytes per edge) for a fraction of the
    // CPU an import spends encoding node records.
    options.compression = rocksdb::kLZ4Compression;
    options.bottommost_compression = rocksdb::kLZ4Compression;
  } else {
    SetCompression(&options, cf == Cf::kEdges || cf == Cf::kNames);
  }
  switch (cf) {
    case Cf::kEdges:
    case Cf::kWaste:
      options.merge_operator = NewEdgeRowMergeOperator();
      break;
    case Cf::kMeta:
    case Cf::kNodes:
    case Cf::kLoads:
      options.merge_operator = NewVarintAddMergeOperator();
      break;
    case Cf::kLayers:
      options.merge_operator = NewLayerMergeOperator();
      break;
    case Cf::kNames:
    case Cf::kProfiles:
      break;
  }
  return options;
}

TunedOptions BuildOptions(const StoreOptions& options) {
  TunedOptions tuned;
  rocksdb::DBOptions& db = tuned.db;
  db.create_if_missing = false;  // Open() decides, after its format checks
  db.paranoid_checks = true;
  // Opens (and checks) every table file at startup, so a truncated or
  // damaged file is reported by Open() rather than by a later read.
  db.max_open_files = -1;
  db.max_background_jobs = 2;
  db.bytes_per_sync = 1 << 20;
  // RocksDB never opens its own info LOG (its writer asserts after a failed
  // write, e.g. on a full disk): a capturing logger that writes nothing by
  // default; GraphStore::Open gives a read-write store its STORE/LOG.
  db.info_log = std::make_shared<CapturingInfoLog>();
  // Only the last record of a WAL may be incomplete (a crash while writing
  // it: that write was never acknowledged). Any other damage is Corruption
  // naming the WAL; the default, kPointInTimeRecovery, would open the store
  // without every write after the damage and say nothing.
  db.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  db.max_manifest_file_size = 64 << 20;
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  for (size_t i = 0; i < kCfCount; ++i) {
    Cf cf = static_cast<Cf>(i);
    tuned.families.emplace_back(CfName(cf), ColumnFamilyOptionsFor(cf, cache));
  }
  return tuned;
}

}  // namespace blobgraph::storage
