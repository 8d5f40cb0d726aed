// rocks_status: turns a rocksdb::Status into a blobgraph Status with our
// context in front, so no RocksDB message leaks without the store's path;
// and the view of a rocksdb::Slice the key_layout codec reads.
// Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

#include <rocksdb/slice.h>
#include <rocksdb/status.h>

#include "blobgraph/status.h"

namespace blobgraph::storage {

// "<context>: <RocksDB's message>", with the code mapped: Corruption ->
// kCorruption, lock failures -> kBusy, NotFound -> kNotFound,
// InvalidArgument/NotSupported -> kInvalidInput, anything else -> kIOError.
Status FromRocks(const rocksdb::Status& status, const std::string& context);

// True if `status` is RocksDB failing to take the store's LOCK file.
bool IsLockFailure(const rocksdb::Status& status);

// The bytes of `slice`, valid as long as the slice's storage.
inline std::string_view View(const rocksdb::Slice& slice) { return {slice.data(), slice.size()}; }

}  // namespace blobgraph::storage
