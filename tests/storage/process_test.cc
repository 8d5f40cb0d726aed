// Behaviour across processes: a writer killed with SIGKILL mid-write, and a
// second process opening a store that is in use. The child side runs in
// StorageChild.Main (this binary re-executed), so it has its own RocksDB
// state and its own file locks.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "blobgraph/graph_store.h"
#include "storage/store_test_util.h"

namespace blobgraph::storage_test {
namespace {

constexpr uint64_t kEdgesPerBatch = 48;  // spread over 6 callers (6 rows)
constexpr uint64_t kMarkerBase = 1000000;

BlobHash SharedCaller(uint64_t e) { return TestHash(e % 6); }
BlobHash SharedCallee(uint64_t e) { return TestHash(100 + e); }

// Batch `id` adds +1 dynamic to each of the shared edges and creates its own
// marker edge, so a partial batch shows as unequal counts or a lone marker.
GraphUpdate Batch(uint64_t id) {
  GraphUpdate update;
  for (uint64_t e = 0; e < kEdgesPerBatch; ++e) {
    update.edges.push_back({SharedCaller(e), SharedCallee(e), 0, 1});
  }
  update.edges.push_back({TestHash(kMarkerBase + id), TestHash(7), 1, 0});
  return update;
}

void WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

std::string ReadAll(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) text.append(buffer, n);
  return text;
}

int ChildWriter(const std::string& dir, int fd) {
  auto store = GraphStore::Open(dir);
  if (!store.ok()) return 2;
  for (uint64_t id = 1;; ++id) {
    ApplyOptions apply;
    // Every third batch goes through SST ingestion, the rest as WriteBatches.
    apply.method = id % 3 == 0 ? WriteMethod::kIngest : WriteMethod::kWriteBatch;
    if (!(*store)->Apply(Batch(id), apply).ok()) return 3;
    WriteAll(fd, std::to_string(id) + "\n");
  }
}

int ChildOpener(const std::string& dir, int fd) {
  auto writable = GraphStore::Open(dir);
  std::string report = std::to_string(static_cast<int>(writable.status().code())) + "\n" +
                       writable.status().message() + "\n";
  StoreOptions read_only;
  read_only.read_only = true;
  auto reader = GraphStore::Open(dir, read_only);
  report += std::to_string(static_cast<int>(reader.status().code())) + "\n";
  if (reader.ok()) {
    auto callees = (*reader)->Callees(TestHash(1));
    report +=
        std::to_string(callees.ok() && callees->size() == 1 ? callees->front().static_count : 0) +
        "\n";
  }
  WriteAll(fd, report);
  return 0;
}

TEST(StorageChild, Main) {
  const char* role = std::getenv("BLOBGRAPH_CHILD_ROLE");
  if (role == nullptr) GTEST_SKIP() << "runs only as a child process of another test";
  std::string dir = std::getenv("BLOBGRAPH_CHILD_DIR");
  int fd = ChildReportFd();
  int code = std::string(role) == "writer" ? ChildWriter(dir, fd) : ChildOpener(dir, fd);
  _exit(code);
}

TEST(GraphStoreProcessTest, SigkillMidWriteKeepsAcknowledgedBatchesWhole) {
  ScratchDir dir;
  { ASSERT_NE(OpenOrFail(dir.path()), nullptr); }
  Child child = StartChild("writer", dir.path());
  ASSERT_GT(child.pid, 0);
  // Let it acknowledge a good number of batches, then kill it mid-stream.
  std::string acked;
  uint64_t lines = 0;
  char buffer[256];
  while (lines < 60) {
    ssize_t n = read(child.report_fd, buffer, sizeof(buffer));
    ASSERT_GT(n, 0) << "writer child ended early";
    acked.append(buffer, n);
    lines = std::count(acked.begin(), acked.end(), '\n');
  }
  kill(child.pid, SIGKILL);
  acked += ReadAll(child.report_fd);
  int status = WaitChild(child);
  ASSERT_TRUE(WIFSIGNALED(status));
  uint64_t last_acked = 0;
  for (size_t pos = 0, end; (end = acked.find('\n', pos)) != std::string::npos; pos = end + 1) {
    last_acked = std::stoull(acked.substr(pos, end - pos));
  }
  ASSERT_GE(last_acked, 60u);

  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  EdgeMap edges = AllEdges(*store);
  uint64_t applied = edges[{SharedCaller(0), SharedCallee(0)}].second;
  EXPECT_GE(applied, last_acked);
  EXPECT_LE(applied, last_acked + 1);  // at most the one batch in flight
  for (uint64_t e = 0; e < kEdgesPerBatch; ++e) {
    EXPECT_EQ((edges[{SharedCaller(e), SharedCallee(e)}].second), applied) << "edge " << e;
  }
  for (uint64_t id = 1; id <= applied + 1; ++id) {
    auto markers = store->Callees(TestHash(kMarkerBase + id));
    ASSERT_TRUE(markers.ok());
    EXPECT_EQ(markers->size(), id <= applied ? 1u : 0u) << "batch " << id;
  }
  std::vector<std::string> problems;
  ASSERT_TRUE(store->Verify(&problems).ok());
  EXPECT_TRUE(problems.empty()) << problems.front();
}

TEST(GraphStoreProcessTest, SecondProcessGetsBusyAndCanReadOnly) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  GraphUpdate update;
  update.edges.push_back({TestHash(1), TestHash(2), 5, 0});
  ASSERT_TRUE(store->Apply(update).ok());

  Child child = StartChild("opener", dir.path());
  ASSERT_GT(child.pid, 0);
  std::string report = ReadAll(child.report_fd);
  int status = WaitChild(child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << report;
  std::vector<std::string> lines;
  for (size_t pos = 0, end; (end = report.find('\n', pos)) != std::string::npos; pos = end + 1) {
    lines.push_back(report.substr(pos, end - pos));
  }
  ASSERT_EQ(lines.size(), 4u) << report;
  EXPECT_EQ(std::stoi(lines[0]), static_cast<int>(Status::Code::kBusy));
  EXPECT_NE(lines[1].find(dir.path()), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("in use by another process"), std::string::npos) << lines[1];
  EXPECT_EQ(std::stoi(lines[2]), static_cast<int>(Status::Code::kOk));
  EXPECT_EQ(lines[3], "5");  // the read-only view sees the writer's data
}

}  // namespace
}  // namespace blobgraph::storage_test
