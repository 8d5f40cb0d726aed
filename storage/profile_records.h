// profile_records: the `profiles` column family's values (key_layout.h):
// a merged profile's identity, the digest of what it added, when it was
// merged, whether it was retracted, and the store's ageing factor at the
// merge. Internal to storage/. Pure codec plus the merge path's hook.
#pragma once

#include <string>
#include <string_view>

#include "blobgraph/graph_store.h"
#include "storage/write_sink.h"

namespace blobgraph::storage {

// A profile record as stored: what ProfileRecord shows, plus the ageing
// factor (meta "ageing") when the profile was merged.
struct StoredProfile {
  ProfileRecord record;
  double ageing_at_merge = 1.0;
  // False for a value written before digests were kept (host and created
  // time only): its digest is zero and it cannot be retracted.
  bool has_digest = false;
};

void EncodeStoredProfile(const StoredProfile& profile, std::string* out);
// Decodes both layouts. False if the value is malformed.
bool DecodeStoredProfile(std::string_view value, StoredProfile* profile);

// The store's cumulative ageing factor (meta "ageing"; 1.0 when absent).
// Errors: kCorruption (not 8 bytes, or not a factor in (0, 1]), kIOError.
Result<double> ReadAgeing(const DbHandles& handles, const rocksdb::Snapshot* snapshot = nullptr);
std::string EncodeAgeing(double ageing);

// The merge path's hook (apply_writer.cc): Puts `update.profile`'s record
// with the digest of `update`, its edge count, now as merge time and the
// current ageing factor. REQUIRES: update.profile set; writer mutex held.
Status EmitProfileRecord(const DbHandles& handles, const GraphUpdate& update, WriteSink* sink);

std::string_view ProfileKey(const std::array<uint8_t, 16>& id);  // points into `id`

}  // namespace blobgraph::storage
