// store_options: the RocksDB tuning of a blobgraph store (per column family
// block size, compression, bloom filters, merge operators). Internal to
// storage/. Also used by bench/storage_bench.cc so its raw-ingest floor
// writes files exactly as the store would.
//
// Block cache: Callees() stays in single-digit microseconds only while the
// uncompressed edge rows fit in StoreOptions::block_cache_bytes, about
// 40 bytes per edge (7.15M edges: ~290 MB; storage_bench uses 512 MB). A
// miss reads and ZSTD-decodes a 16 KB block. The 64 MB default suits stores
// of up to ~1.5M edges; size the cache for larger ones.
#pragma once

#include <memory>
#include <vector>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include "blobgraph/graph_store.h"
#include "storage/key_layout.h"

namespace blobgraph::storage {

struct TunedOptions {
  rocksdb::DBOptions db;
  // One descriptor per Cf, indexed by static_cast<size_t>(cf).
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
};

// `cache` is shared by every column family's block-based tables.
rocksdb::ColumnFamilyOptions ColumnFamilyOptionsFor(Cf cf,
                                                    const std::shared_ptr<rocksdb::Cache>& cache);

TunedOptions BuildOptions(const StoreOptions& options);

}  // namespace blobgraph::storage
