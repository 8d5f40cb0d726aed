// Writing into a blobgraph store behind its back, with raw RocksDB: how the
// corruption tests plant a malformed record. Test-only.
#pragma once

#include <string>
#include <string_view>

namespace blobgraph::tools::testing {

// Puts `value` at `key` in column family `family` ("default", "edges",
// "nodes", "loads", ...) of the closed store at `db_path`, and flushes.
// Fails the current test on error.
void PutRawRecord(const std::string& db_path, const std::string& family, std::string_view key,
                  std::string_view value);

// The 32 raw bytes of a hash given as 64 hex digits.
std::string HashBytes(const std::string& hex);

}  // namespace blobgraph::tools::testing
