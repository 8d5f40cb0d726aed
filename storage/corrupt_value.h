// corrupt_value: the one shape of message for a stored record that fails to
// decode, so every read path (point reads, scans, Apply's read of existing
// rows, Decay, Stats, Verify) names the same things: the store, the column
// family and the key in hex. Internal to storage/; pure, any thread.
#pragma once

#include <string>
#include <string_view>

#include "blobgraph/status.h"
#include "storage/key_layout.h"

namespace blobgraph::storage {

// "<cf> key <hex>" e.g. "edges key 6162..."; a key of unexpected length is
// printed whole as well (bounded to 64 bytes of hex).
std::string DescribeKey(Cf cf, std::string_view key);

// kCorruption "<path>: <cf> key <hex>: stored record is corrupt: <problem>".
Status CorruptValue(const std::string& path, Cf cf, std::string_view key, std::string_view problem);

}  // namespace blobgraph::storage
