#include "storage/store_test_util.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include <gtest/gtest.h>
#include <rocksdb/db.h>

extern char** environ;

namespace blobgraph::storage_test {

ScratchDir::ScratchDir() {
  static std::atomic<int> counter{0};
  path_ = (std::filesystem::temp_directory_path() /
           ("blobgraph-storage-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++)))
              .string();
  std::filesystem::remove_all(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

BlobHash TestHash(uint64_t n) {
  // splitmix64 spreads consecutive n over the whole key space.
  uint8_t bytes[BlobHash::kSize];
  uint64_t x = n;
  for (size_t i = 0; i < BlobHash::kSize; i += 8) {
    x += 0x9e3779b97f4a7c15ull;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    std::memcpy(bytes + i, &z, 8);
  }
  return BlobHash::FromBytes(bytes);
}

std::unique_ptr<GraphStore> OpenOrFail(const std::string& path, const StoreOptions& options) {
  auto opened = GraphStore::Open(path, options);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  if (!opened.ok()) return nullptr;
  return std::move(opened).value();
}

void RewriteFormatKey(const std::string& path, const std::string& value) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name :
       {"default", "edges", "nodes", "names", "loads", "profiles", "layers", "waste"}) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "format", value).ok());
  for (auto* handle : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
  ASSERT_TRUE(db->Close().ok());
}

EdgeMap AllEdges(const GraphStore& store) {
  EdgeMap edges;
  Status status =
      store.ForEachCaller([&](const BlobHash& caller, std::span<const CalleeInfo> callees) {
        for (const CalleeInfo& callee : callees) {
          edges[{caller, callee.callee}] = {callee.static_count, callee.dynamic_count};
        }
        return Status::Ok();
      });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return edges;
}

Child StartChild(const std::string& role, const std::string& dir) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  // Everything the child needs is built before fork: after it, only exec.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  env_strings.push_back("BLOBGRAPH_CHILD_ROLE=" + role);
  env_strings.push_back("BLOBGRAPH_CHILD_DIR=" + dir);
  env_strings.push_back("BLOBGRAPH_CHILD_FD=" + std::to_string(fds[1]));
  std::vector<char*> env;
  for (std::string& s : env_strings) env.push_back(s.data());
  env.push_back(nullptr);
  std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string filter = "--gtest_filter=StorageChild.Main";
  char* argv[] = {exe.data(), filter.data(), nullptr};
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, STDOUT_FILENO);
    execve(exe.c_str(), argv, env.data());
    _exit(127);
  }
  close(fds[1]);
  return Child{pid, fds[0]};
}

int WaitChild(const Child& child) {
  int status = 0;
  waitpid(child.pid, &status, 0);
  close(child.report_fd);
  return status;
}

int ChildReportFd() {
  const char* fd = std::getenv("BLOBGRAPH_CHILD_FD");
  return fd == nullptr ? -1 : std::atoi(fd);
}

}  // namespace blobgraph::storage_test
