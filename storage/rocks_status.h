// rocks_status: turns a rocksdb::Status into a blobgraph Status with our
// context in front, so no RocksDB message leaks without the store's path.
// Pure function; any thread.
#pragma once

#include <string>

#include <rocksdb/status.h>

#include "blobgraph/status.h"

namespace blobgraph::storage {

// "<context>: <RocksDB's message>", with the code mapped: Corruption ->
// kCorruption, lock failures -> kBusy, NotFound -> kNotFound,
// InvalidArgument/NotSupported -> kInvalidInput, anything else -> kIOError.
Status FromRocks(const rocksdb::Status& status, const std::string& context);

// True if `status` is RocksDB failing to take the store's LOCK file.
bool IsLockFailure(const rocksdb::Status& status);

}  // namespace blobgraph::storage
