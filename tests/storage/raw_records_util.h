// Reading and writing a closed store's records behind its back with raw
// RocksDB (the store's own merge operators), for tests that plant a
// malformed or older-format record. Test-only.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace blobgraph::storage_test {

// Puts `value` at `key` in column family `family` ("default", "edges", ...)
// of the closed store at `path`. Fails the current test on error.
void PutRaw(const std::string& path, const std::string& family, std::string_view key,
            std::string_view value);
// Drops column family `family` of the closed store at `path`, as a store
// written before that family existed. Fails the current test if it is not
// there.
void DropRaw(const std::string& path, const std::string& family);
// The value at `key`, std::nullopt if absent.
std::optional<std::string> GetRaw(const std::string& path, const std::string& family,
                                  std::string_view key);

}  // namespace blobgraph::storage_test
