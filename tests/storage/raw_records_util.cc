#include "storage/raw_records_util.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <functional>
#include <memory>
#include <vector>

#include "storage/merge_operators.h"

namespace blobgraph::storage_test {
namespace {

// Opens every family of the store at `path` and runs `body` on `family`'s.
void WithFamily(const std::string& path, const std::string& family,
                const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle*)>& body) {
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    rocksdb::ColumnFamilyOptions options;
    if (name == "edges" || name == "waste") {
      options.merge_operator = storage::NewEdgeRowMergeOperator();
    }
    if (name == "nodes" || name == "loads" || name == "default") {
      options.merge_operator = storage::NewVarintAddMergeOperator();
    }
    if (name == "layers") options.merge_operator = storage::NewLayerMergeOperator();
    descriptors.emplace_back(name, options);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened =
      rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles, &raw);
  ASSERT_TRUE(opened.ok()) << opened.ToString();
  std::unique_ptr<rocksdb::DB> db(raw);
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == family) body(db.get(), handles[i]);
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    EXPECT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
  }
  EXPECT_TRUE(db->Close().ok());
}

}  // namespace

void PutRaw(const std::string& path, const std::string& family, std::string_view key,
            std::string_view value) {
  bool done = false;
  WithFamily(path, family, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* handle) {
    EXPECT_TRUE(db->Put(rocksdb::WriteOptions(), handle, rocksdb::Slice(key.data(), key.size()),
                        rocksdb::Slice(value.data(), value.size()))
                    .ok());
    EXPECT_TRUE(db->Flush(rocksdb::FlushOptions(), handle).ok());
    done = true;
  });
  EXPECT_TRUE(done) << family;
}

void DropRaw(const std::string& path, const std::string& family) {
  bool dropped = false;
  WithFamily(path, family, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* handle) {
    EXPECT_TRUE(db->DropColumnFamily(handle).ok());
    dropped = true;
  });
  EXPECT_TRUE(dropped) << family;
}

std::optional<std::string> GetRaw(const std::string& path, const std::string& family,
                                  std::string_view key) {
  std::optional<std::string> out;
  WithFamily(path, family, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* handle) {
    std::string value;
    rocksdb::Status got =
        db->Get(rocksdb::ReadOptions(), handle, rocksdb::Slice(key.data(), key.size()), &value);
    EXPECT_TRUE(got.ok() || got.IsNotFound()) << got.ToString();
    if (got.ok()) out = value;
  });
  return out;
}

}  // namespace blobgraph::storage_test
