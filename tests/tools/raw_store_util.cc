#include "tools/raw_store_util.h"

#include <gtest/gtest.h>

#include "blobgraph/blob_hash.h"
#include "storage/raw_records_util.h"

namespace blobgraph::tools::testing {

void PutRawRecord(const std::string& db_path, const std::string& family, std::string_view key,
                  std::string_view value) {
  storage_test::PutRaw(db_path, family, key, value);
}

std::string HashBytes(const std::string& hex) {
  auto hash = BlobHash::Parse(hex);
  EXPECT_TRUE(hash.ok()) << hex;
  if (!hash.ok()) return std::string();
  return std::string(reinterpret_cast<const char*>(hash->data()), BlobHash::kSize);
}

}  // namespace blobgraph::tools::testing
