// Opening what is not a healthy blobgraph store: foreign directories, a
// newer format, damaged and truncated table files. Each error names the path
// (and the file, for damage), and says what is wrong.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "blobgraph/graph_store.h"
#include "storage/store_test_util.h"

namespace blobgraph::storage_test {
namespace {

namespace fs = std::filesystem;

void Fill(const std::string& path, uint64_t callers) {
  auto store = OpenOrFail(path);
  ASSERT_NE(store, nullptr);
  GraphUpdate update;
  for (uint64_t c = 0; c < callers; ++c) {
    for (uint64_t e = 0; e < 8; ++e)
      update.edges.push_back({TestHash(c), TestHash(c * 8 + e), 1, c});
  }
  ASSERT_TRUE(store->Apply(update, {WriteMethod::kWriteBatch}).ok());
  ASSERT_TRUE(store->Flush().ok());
}

std::string LargestTableFile(const std::string& dir) {
  std::string largest;
  uintmax_t largest_size = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".sst" && entry.file_size() > largest_size) {
      largest = entry.path().string();
      largest_size = entry.file_size();
    }
  }
  return largest;
}

TEST(GraphStoreOpenTest, ForeignDirectoryIsIncompatible) {
  ScratchDir dir;
  fs::create_directories(dir.path());
  std::ofstream(dir.path() + "/notes.txt") << "not a store";
  auto store = GraphStore::Open(dir.path());
  ASSERT_EQ(store.status().code(), Status::Code::kIncompatible);
  EXPECT_NE(store.status().message().find(dir.path()), std::string::npos);
  EXPECT_NE(store.status().message().find("not a blobgraph store"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir.path() + "/notes.txt"));
  EXPECT_FALSE(fs::exists(dir.path() + "/CURRENT"));  // nothing written
}

TEST(GraphStoreOpenTest, ForeignRocksDbIsIncompatibleAndUntouched) {
  ScratchDir dir;
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.path(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "hello", "world").ok());
    ASSERT_TRUE(db->Close().ok());
  }
  auto store = GraphStore::Open(dir.path());
  ASSERT_EQ(store.status().code(), Status::Code::kIncompatible);
  EXPECT_NE(store.status().message().find(dir.path()), std::string::npos);
  std::vector<std::string> families;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.path(), &families).ok());
  EXPECT_EQ(families, std::vector<std::string>{"default"});
}

TEST(GraphStoreOpenTest, NewerFormatIsIncompatible) {
  ScratchDir dir;
  { ASSERT_NE(OpenOrFail(dir.path()), nullptr); }
  ASSERT_NO_FATAL_FAILURE(RewriteFormatKey(dir.path(), "blobgraph-store 7"));
  for (bool read_only : {false, true}) {
    StoreOptions options;
    options.read_only = read_only;
    auto store = GraphStore::Open(dir.path(), options);
    ASSERT_EQ(store.status().code(), Status::Code::kIncompatible);
    EXPECT_NE(store.status().message().find(dir.path()), std::string::npos);
    EXPECT_NE(store.status().message().find("newer blobgraph (format 7, this build reads up to 3)"),
              std::string::npos)
        << store.status().message();
  }
}

TEST(GraphStoreOpenTest, TruncatedTableFileIsCorruptionNamingTheFile) {
  ScratchDir dir;
  Fill(dir.path(), 400);
  std::string file = LargestTableFile(dir.path());
  ASSERT_FALSE(file.empty());
  fs::resize_file(file, fs::file_size(file) / 2);
  auto store = GraphStore::Open(dir.path());
  ASSERT_EQ(store.status().code(), Status::Code::kCorruption) << store.status().ToString();
  EXPECT_NE(store.status().message().find(fs::path(file).filename().string()), std::string::npos)
      << store.status().message();
  EXPECT_EQ(store.status().message().rfind(dir.path(), 0), 0u) << store.status().message();
}

TEST(GraphStoreOpenTest, DamagedTableFileIsCorruptionNamingTheFile) {
  ScratchDir dir;
  Fill(dir.path(), 400);
  std::string file = LargestTableFile(dir.path());
  ASSERT_FALSE(file.empty());
  {
    std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
    stream.seekp(64);
    std::string garbage(32, '\xa5');
    stream.write(garbage.data(), garbage.size());
  }
  // The damage is inside a data block: Open may not read it, but the first
  // read of that block must report it, never return wrong data.
  auto store = GraphStore::Open(dir.path());
  Status status = store.status();
  if (store.ok()) {
    std::vector<std::string> problems;
    status = (*store)->Verify(&problems);
  }
  ASSERT_EQ(status.code(), Status::Code::kCorruption) << status.ToString();
  EXPECT_NE(status.message().find(fs::path(file).filename().string()), std::string::npos)
      << status.message();
  EXPECT_EQ(status.message().rfind(dir.path(), 0), 0u) << status.message();
}

TEST(GraphStoreOpenTest, OpeningWithoutCreateIsNotFound) {
  ScratchDir dir;
  StoreOptions options;
  options.create_if_missing = false;
  auto store = GraphStore::Open(dir.path(), options);
  EXPECT_EQ(store.status().code(), Status::Code::kNotFound);
  EXPECT_FALSE(fs::exists(dir.path()));
}

}  // namespace
}  // namespace blobgraph::storage_test
