#include "tests/engine/engine_test_util.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>

namespace blobgraph::testing {

BlobHash MakeHash(uint8_t value) {
  uint8_t bytes[BlobHash::kSize] = {};
  bytes[0] = value;
  return BlobHash::FromBytes(bytes);
}

TempStore::TempStore() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "blobgraph-engine-test-XXXXXX").string();
  char* made = ::mkdtemp(pattern.data());
  if (made == nullptr) ADD_FAILURE() << "mkdtemp " << pattern << " failed";
  path_ = pattern + "/store";
  Reopen();
}

TempStore::~TempStore() {
  store_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(std::filesystem::path(path_).parent_path(), ignored);
}

void TempStore::Reopen() {
  store_.reset();
  auto opened = GraphStore::Open(path_);
  if (!opened.ok()) {
    ADD_FAILURE() << "open " << path_ << ": " << opened.status().ToString();
    return;
  }
  store_ = std::move(*opened);
}

void ApplyDependencies(GraphStore* store, const Dependencies& blobs) {
  GraphUpdate update;
  for (const auto& [caller, callees] : blobs) {
    update.functions.push_back(caller);
    std::map<BlobHash, uint64_t> sites;
    for (const BlobHash& callee : callees) ++sites[callee];
    for (const auto& [callee, count] : sites) update.edges.push_back({caller, callee, count, 0});
  }
  Status status = store->Apply(update);
  ASSERT_TRUE(status.ok()) << status.ToString();
}

EngineOptions QuietOptions() {
  EngineOptions options;
  options.refresh_interval = std::chrono::milliseconds(0);
  options.flush_interval = std::chrono::milliseconds(0);
  // Pinned, so the probabilities worked out by hand in the tests do not
  // move with the library's default.
  options.model.prior_weight = 1.0;
  options.prefetch_model = PrefetchModel{/*prior_runs=*/0.1, /*callee_prior_runs=*/0.5,
                                         /*default_list_precision=*/0.3,
                                         /*precision_prior_edges=*/10};
  return options;
}

std::unique_ptr<Engine> OpenEngine(GraphStore* store, EngineOptions options) {
  auto engine = Engine::Open(store, options);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return engine.ok() ? std::move(*engine) : nullptr;
}

GraphUpdate HotCallersUpdate() {
  GraphUpdate update;
  for (int i = 0; i < 40; ++i) {
    BlobHash caller = MakeHash(static_cast<uint8_t>(10 + i));
    for (int k = 0; k < 4; ++k) {
      BlobHash callee = MakeHash(static_cast<uint8_t>(100 + (i * 4 + k) % 150));
      update.edges.push_back({caller, callee, 1, 100});
    }
  }
  return update;
}

}  // namespace blobgraph::testing
