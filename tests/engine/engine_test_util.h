// Helpers for the engine tests: small hashes, a store in a fresh temporary
// directory, and the reference's "blob dependencies" input.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "blobgraph/blob_hash.h"
#include "blobgraph/engine.h"
#include "blobgraph/graph_store.h"

namespace blobgraph::testing {

// Like the reference's make_hash: first byte `value`, rest zero; with
// `value` = 0 it would be the root marker, so tests start at 1.
BlobHash MakeHash(uint8_t value);

// A GraphStore in a new temporary directory, removed when this is destroyed.
class TempStore {
 public:
  TempStore();
  ~TempStore();
  GraphStore* get() { return store_.get(); }
  GraphStore* operator->() { return store_.get(); }
  const std::string& path() const { return path_; }
  // Closes and opens the store again (the engine on it must be gone).
  void Reopen();

 private:
  std::string path_;
  std::unique_ptr<GraphStore> store_;
};

// The reference's build_from_dependencies input: each caller with its list of
// call sites (a callee listed twice is two call sites = static count 2).
using Dependencies = std::vector<std::pair<BlobHash, std::vector<BlobHash>>>;
void ApplyDependencies(GraphStore* store, const Dependencies& blobs);

// Engine options for deterministic tests: no periodic background work,
// prior_weight 1.
EngineOptions QuietOptions();

// Opens an engine on `store` or fails the current test (returns nullptr).
std::unique_ptr<Engine> OpenEngine(GraphStore* store, EngineOptions options = QuietOptions());

// 40 hot callers (4 callees each, observed calls), too many for a 6000-byte
// hot budget beside a cold caller: the edges a miss test starts from.
GraphUpdate HotCallersUpdate();

}  // namespace blobgraph::testing
