// ForEachRecord: the full-scan loop of Verify and Decay. Walks one column
// family's iterator from its first record, hands each key and value to
// `visit`, and ends with the iterator's own error. The caller owns the
// iterator (usually a GraphStoreImpl::NewScan on one snapshot). One thread.
// Internal to storage/.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

#include <rocksdb/iterator.h>

#include "blobgraph/status.h"
#include "storage/rocks_status.h"

namespace blobgraph::storage {

// `visit(key, value)` returns void, or a Status that stops the scan when
// not OK (and is returned). The slices point into the iterator and are
// valid until the next record. An iterator error comes back as
// "PATH: SCANNING: ..." (FromRocks).
template <typename Visit>
Status ForEachRecord(rocksdb::Iterator& it, const std::string& path, std::string_view scanning,
                     Visit&& visit) {
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    if constexpr (std::is_void_v<decltype(visit(it.key(), it.value()))>) {
      visit(it.key(), it.value());
    } else {
      BLOBGRAPH_RETURN_IF_ERROR(visit(it.key(), it.value()));
    }
  }
  return FromRocks(it.status(), path + ": " + std::string(scanning));
}

}  // namespace blobgraph::storage
