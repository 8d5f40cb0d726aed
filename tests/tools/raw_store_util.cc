#include "tools/raw_store_util.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <memory>
#include <vector>

#include "storage/merge_operators.h"

namespace blobgraph::tools::testing {

void PutRawRecord(const std::string& db_path, const std::string& family, std::string_view key,
                  std::string_view value) {
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), db_path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  // The store's own merge operators: its WAL may hold merge operands that
  // recovery replays and flushes.
  for (const std::string& name : names) {
    rocksdb::ColumnFamilyOptions options;
    if (name == "edges") options.merge_operator = storage::NewEdgeRowMergeOperator();
    if (name == "nodes" || name == "loads" || name == "default") {
      options.merge_operator = storage::NewVarintAddMergeOperator();
    }
    descriptors.emplace_back(name, options);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened =
      rocksdb::DB::Open(rocksdb::DBOptions(), db_path, descriptors, &handles, &raw);
  ASSERT_TRUE(opened.ok()) << opened.ToString();
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ColumnFamilyHandle* target = nullptr;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == family) target = handles[i];
  }
  ASSERT_NE(target, nullptr) << family;
  EXPECT_TRUE(db->Put(rocksdb::WriteOptions(), target, rocksdb::Slice(key.data(), key.size()),
                      rocksdb::Slice(value.data(), value.size()))
                  .ok());
  EXPECT_TRUE(db->Flush(rocksdb::FlushOptions(), target).ok());
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    EXPECT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
  }
  EXPECT_TRUE(db->Close().ok());
}

std::string HashBytes(const std::string& hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

}  // namespace blobgraph::tools::testing
