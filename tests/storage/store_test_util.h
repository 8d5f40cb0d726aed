// Helpers for the storage tests: scratch directories, deterministic hashes,
// and child processes (the test binary re-executed in a given role, so a
// child has its own RocksDB state and file locks).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "blobgraph/blob_hash.h"
#include "blobgraph/graph_store.h"

namespace blobgraph::storage_test {

// A fresh directory path under the system temp dir (not created), removed
// with everything in it on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A hash derived from `n` (distinct n give distinct hashes, in no order).
BlobHash TestHash(uint64_t n);

// Opens a store or fails the current test (returns nullptr).
std::unique_ptr<GraphStore> OpenOrFail(const std::string& path, const StoreOptions& options = {});

// Rewrites the format key of the closed store at `path` to `value` with raw
// RocksDB (a newer or foreign blobgraph's store), leaving it in the WAL.
// Fails the current test on error.
void RewriteFormatKey(const std::string& path, const std::string& value);

// Every edge of the store, keyed by (caller, callee) -> (static, dynamic).
using EdgeMap = std::map<std::pair<BlobHash, BlobHash>, std::pair<uint64_t, uint64_t>>;
EdgeMap AllEdges(const GraphStore& store);

// A child process running this test binary's StorageChild.Main with
// BLOBGRAPH_CHILD_ROLE=role and BLOBGRAPH_CHILD_DIR=dir. The child writes
// its reports to the pipe whose read end is `report_fd`.
struct Child {
  pid_t pid = -1;
  int report_fd = -1;
};
Child StartChild(const std::string& role, const std::string& dir);
// Waits for the child; returns its exit status as from waitpid.
int WaitChild(const Child& child);

// In the child: the report pipe's write end, or -1 when not a child.
int ChildReportFd();

}  // namespace blobgraph::storage_test
