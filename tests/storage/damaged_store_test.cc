// Damaged stores: a truncated MANIFEST, a deleted table file, a WAL damaged
// before its last record, a WAL whose last record a crash cut short, a
// newer format. Each either opens with every acknowledged write (a torn
// tail) or fails with kCorruption/kIncompatible naming the file — never an
// empty or rolled-back store — and leaves every table file where it was.
//
// A "crash" is a copy of the store's directory taken while it is open and
// idle: what a killed process leaves (its WAL in the page cache, nothing
// flushed or recorded at close).
#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "blobgraph/graph_store.h"
#include "storage/store_test_util.h"

namespace blobgraph::storage_test {
namespace {

namespace fs = std::filesystem;

// The edges of batch `id`: its own caller, 8 callees, dynamic count id.
GraphUpdate Batch(uint64_t id) {
  GraphUpdate update;
  for (uint64_t e = 0; e < 8; ++e)
    update.edges.push_back({TestHash(id), TestHash(1000 + e), 1, id});
  return update;
}

// Files by name -> contents: the whole directory, to compare byte for byte.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    files[fs::relative(entry.path(), dir).string()] =
        std::string(std::istreambuf_iterator<char>(in), {});
  }
  return files;
}

std::map<std::string, uintmax_t> TableFiles(const std::string& dir) {
  std::map<std::string, uintmax_t> tables;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".sst") tables[entry.path().filename()] = entry.file_size();
  }
  return tables;
}

// The live WAL: the highest-numbered one (an obsolete one may linger
// until its deletion, which runs after a flush returns).
std::string CurrentWal(const std::string& dir) {
  std::string newest;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".log" && entry.path().string() > newest) {
      newest = entry.path().string();
    }
  }
  EXPECT_FALSE(newest.empty()) << "no WAL in " << dir;
  return newest;
}

std::string Manifest(const std::string& dir) {
  std::ifstream current(dir + "/CURRENT");
  std::string name;
  std::getline(current, name);
  return dir + "/" + name;
}

// Offsets of the logical records of a RocksDB WAL (32 KiB blocks of
// records with a 7-byte header: crc32c 4, length 2 LE, type 1; type 1 is
// a whole record, 2 its first fragment).
std::vector<uint64_t> WalRecordOffsets(const std::string& wal) {
  std::ifstream in(wal, std::ios::binary);
  std::string bytes(std::istreambuf_iterator<char>(in), {});
  std::vector<uint64_t> records;
  constexpr uint64_t kBlock = 32768, kHeader = 7;
  for (uint64_t offset = 0; offset + kHeader <= bytes.size();) {
    uint64_t left = kBlock - offset % kBlock;
    if (left < kHeader) {
      offset += left;
      continue;
    }
    uint64_t length = static_cast<uint8_t>(bytes[offset + 4]) |
                      static_cast<uint64_t>(static_cast<uint8_t>(bytes[offset + 5])) << 8;
    uint8_t type = static_cast<uint8_t>(bytes[offset + 6]);
    if (type == 0 && length == 0) break;  // zero padding
    if (type == 1 || type == 2) records.push_back(offset);
    offset += kHeader + length;
  }
  return records;
}

// A store that took `batches` writes and then "crashed" into `crashed`.
void WriteAndCrash(const std::string& live, const std::string& crashed, uint64_t batches) {
  auto store = OpenOrFail(live);
  ASSERT_NE(store, nullptr);
  // Table files too, so a damaged WAL has something to lose beside itself.
  ASSERT_TRUE(store->Apply(Batch(100), {WriteMethod::kWriteBatch}).ok());
  ASSERT_TRUE(store->Flush().ok());
  for (uint64_t id = 1; id <= batches; ++id) {
    ASSERT_TRUE(store->Apply(Batch(id), {WriteMethod::kWriteBatch}).ok());
  }
  fs::copy(live, crashed, fs::copy_options::recursive);
}

void ExpectCorruptionNaming(const std::string& dir, const std::string& file) {
  for (bool read_only : {true, false}) {
    StoreOptions options;
    options.read_only = read_only;
    auto store = GraphStore::Open(dir, options);
    ASSERT_EQ(store.status().code(), Status::Code::kCorruption)
        << (read_only ? "read-only: " : "read-write: ") << store.status().ToString();
    EXPECT_NE(store.status().message().find(file), std::string::npos) << store.status().message();
  }
}

TEST(DamagedStoreTest, TruncatedManifestIsCorruptionAndDeletesNothing) {
  ScratchDir dir;
  {
    auto store = OpenOrFail(dir.path());
    ASSERT_NE(store, nullptr);
    for (uint64_t id = 1; id <= 3; ++id) {
      ASSERT_TRUE(store->Apply(Batch(id), {WriteMethod::kWriteBatch}).ok());
      ASSERT_TRUE(store->Flush().ok());
    }
  }
  std::string manifest = Manifest(dir.path());
  fs::resize_file(manifest, fs::file_size(manifest) / 2);
  auto before = Snapshot(dir.path());
  ASSERT_GE(TableFiles(dir.path()).size(), 3u);
  ExpectCorruptionNaming(dir.path(), fs::path(manifest).filename());
  auto store = GraphStore::Open(dir.path());
  EXPECT_NE(store.status().message().find("truncated"), std::string::npos);
  // Not opened as an older state: nothing replayed, rewritten or deleted.
  EXPECT_EQ(Snapshot(dir.path()), before);
}

TEST(DamagedStoreTest, DeletedTableFileIsCorruptionNamingIt) {
  ScratchDir dir;
  {
    auto store = OpenOrFail(dir.path());
    ASSERT_NE(store, nullptr);
    for (uint64_t id = 1; id <= 2; ++id) {
      ASSERT_TRUE(store->Apply(Batch(id), {WriteMethod::kWriteBatch}).ok());
      ASSERT_TRUE(store->Flush().ok());
    }
  }
  auto tables = TableFiles(dir.path());
  ASSERT_GE(tables.size(), 2u);
  std::string victim = tables.rbegin()->first;
  fs::remove(dir.path() + "/" + victim);
  tables.erase(victim);
  ExpectCorruptionNaming(dir.path(), fs::path(victim).stem().string());
  EXPECT_EQ(TableFiles(dir.path()), tables);
}

TEST(DamagedStoreTest, WalDamagedBeforeItsLastRecordIsCorruptionNamingIt) {
  ScratchDir live, crashed;
  WriteAndCrash(live.path(), crashed.path(), 5);
  std::string wal = CurrentWal(crashed.path());
  std::vector<uint64_t> records = WalRecordOffsets(wal);
  ASSERT_EQ(records.size(), 5u);
  {
    std::fstream file(wal, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(records[1] + 20);
    char byte = 0;
    file.read(&byte, 1);
    file.seekp(records[1] + 20);
    byte = static_cast<char>(byte ^ 0x40);
    file.write(&byte, 1);
  }
  auto tables = TableFiles(crashed.path());
  ExpectCorruptionNaming(crashed.path(), fs::path(wal).filename());
  EXPECT_TRUE(fs::exists(wal));
  EXPECT_EQ(TableFiles(crashed.path()), tables);
}

TEST(DamagedStoreTest, TornLastWalRecordOpensWithEveryEarlierWrite) {
  ScratchDir live, crashed;
  WriteAndCrash(live.path(), crashed.path(), 5);
  std::string wal = CurrentWal(crashed.path());
  std::vector<uint64_t> records = WalRecordOffsets(wal);
  ASSERT_EQ(records.size(), 5u);
  fs::resize_file(wal, records.back() + 30);  // the crash cut the last write short

  for (bool read_only : {true, false}) {
    StoreOptions options;
    options.read_only = read_only;
    auto store = OpenOrFail(crashed.path(), options);
    ASSERT_NE(store, nullptr);
    for (uint64_t id : {100, 1, 2, 3, 4, 5}) {
      auto callees = store->Callees(TestHash(id));
      ASSERT_TRUE(callees.ok());
      // Batch 5 was in flight (its record torn): absent, and only it.
      ASSERT_EQ(callees->size(), id == 5 ? 0u : 8u) << "batch " << id;
      for (const CalleeInfo& callee : *callees) EXPECT_EQ(callee.dynamic_count, id);
    }
    std::vector<std::string> problems;
    ASSERT_TRUE(store->Verify(&problems).ok());
    EXPECT_TRUE(problems.empty()) << problems.front();
  }
  // And it stays that way: the read-write open made the recovery durable.
  auto reopened = OpenOrFail(crashed.path());
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(AllEdges(*reopened).size(), 5u * 8u);
}

TEST(DamagedStoreTest, WalCutAfterACleanCloseIsCorruption) {
  ScratchDir dir;
  {
    auto store = OpenOrFail(dir.path());
    ASSERT_NE(store, nullptr);
    for (uint64_t id = 1; id <= 4; ++id) {
      ASSERT_TRUE(store->Apply(Batch(id), {WriteMethod::kWriteBatch}).ok());
    }
  }
  // Those writes were acknowledged and synced at close: losing the last is
  // damage, not a crash's torn write.
  std::string wal = CurrentWal(dir.path());
  std::vector<uint64_t> records = WalRecordOffsets(wal);
  ASSERT_EQ(records.size(), 5u);  // the format key, then 4 batches
  fs::resize_file(wal, records.back());
  auto before = Snapshot(dir.path());
  ExpectCorruptionNaming(dir.path(), fs::path(wal).filename());
  EXPECT_EQ(Snapshot(dir.path()), before);
}

TEST(DamagedStoreTest, CrashBeforeTheStateFileCaughtUpIsNoFalseAlarm) {
  ScratchDir live, crashed;
  {
    auto store = OpenOrFail(live.path());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Apply(Batch(1)).ok());
  }
  std::string state_file = live.path() + "/BLOBGRAPH-STATE";
  ASSERT_TRUE(fs::exists(state_file));
  std::ifstream in(state_file, std::ios::binary);
  std::string stale(std::istreambuf_iterator<char>(in), {});
  {
    auto store = OpenOrFail(live.path());
    ASSERT_NE(store, nullptr);
    for (uint64_t id = 2; id <= 4; ++id) {
      ASSERT_TRUE(store->Apply(Batch(id)).ok());
      ASSERT_TRUE(store->Flush().ok());
    }
    ASSERT_TRUE(store->CompactAll().ok());
    fs::copy(live.path(), crashed.path(), fs::copy_options::recursive);
  }
  // The crash came before the state file was rewritten: it lags the store.
  std::ofstream(crashed.path() + "/BLOBGRAPH-STATE", std::ios::binary | std::ios::trunc) << stale;
  auto store = OpenOrFail(crashed.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(AllEdges(*store).size(), 4u * 8u);
}

// A crash between a compaction's install and the deletion of its inputs
// leaves table files no MANIFEST lists: leftovers, not damage.
TEST(DamagedStoreTest, LeftoverObsoleteTableFilesAreNoFalseAlarm) {
  ScratchDir dir, aside;
  fs::create_directories(aside.path());
  {
    auto store = OpenOrFail(dir.path());
    ASSERT_NE(store, nullptr);
    for (uint64_t id = 1; id <= 3; ++id) {
      ASSERT_TRUE(store->Apply(Batch(id), {WriteMethod::kWriteBatch}).ok());
      ASSERT_TRUE(store->Flush().ok());
    }
    for (const auto& [name, bytes] : TableFiles(dir.path())) {
      fs::copy_file(dir.path() + "/" + name, aside.path() + "/" + name);
    }
    ASSERT_TRUE(store->CompactAll().ok());
  }
  size_t restored = 0;
  for (const auto& [name, bytes] : TableFiles(aside.path())) {
    if (fs::exists(dir.path() + "/" + name)) continue;
    fs::copy_file(aside.path() + "/" + name, dir.path() + "/" + name);
    ++restored;
  }
  ASSERT_GT(restored, 0u) << "the compaction replaced no file";
  for (bool read_only : {true, false}) {
    StoreOptions options;
    options.read_only = read_only;
    auto store = OpenOrFail(dir.path(), options);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(AllEdges(*store).size(), 3u * 8u);
    std::vector<std::string> problems;
    ASSERT_TRUE(store->Verify(&problems).ok());
    EXPECT_TRUE(problems.empty()) << problems.front();
  }
}

TEST(DamagedStoreTest, NewerFormatIsRefusedWithTheDirectoryUnchanged) {
  ScratchDir dir;
  {
    auto store = OpenOrFail(dir.path());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Apply(Batch(1)).ok());
  }
  // A newer blobgraph's store: its format key rewritten, left in the WAL.
  ASSERT_NO_FATAL_FAILURE(RewriteFormatKey(dir.path(), "blobgraph-store 9"));
  auto before = Snapshot(dir.path());
  for (bool read_only : {false, true}) {
    StoreOptions options;
    options.read_only = read_only;
    auto store = GraphStore::Open(dir.path(), options);
    ASSERT_EQ(store.status().code(), Status::Code::kIncompatible) << store.status().ToString();
    EXPECT_NE(store.status().message().find("format 9"), std::string::npos);
  }
  // No log replay into a new MANIFEST, no new LOG, OPTIONS or WAL.
  EXPECT_EQ(Snapshot(dir.path()), before);
}

}  // namespace
}  // namespace blobgraph::storage_test
