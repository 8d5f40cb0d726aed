#include "bench/bench_fixture_util.h"

#include <cstdio>
#include <cstdlib>

namespace blobgraph::bench {

namespace {
// Heap-held so nothing is closed during static destruction.
std::map<uint64_t, std::unique_ptr<SizedFixture>>& Fixtures() {
  static auto* fixtures = new std::map<uint64_t, std::unique_ptr<SizedFixture>>();
  return *fixtures;
}
}  // namespace

void ReleaseFixtures() { Fixtures().clear(); }

SizedFixture& FixtureFor(uint64_t functions) {
  auto& slot = Fixtures()[functions];
  if (slot) return *slot;
  slot = std::make_unique<SizedFixture>();
  PowerLawOptions options;
  options.functions = functions;
  slot->graph = GeneratePowerLawGraph(options);
  auto store = ScratchStore::Create(slot->graph, std::to_string(functions));
  if (!store.ok()) {
    std::fprintf(stderr, "bench store: %s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  slot->store = std::move(*store);
  EngineOptions engine_options;
  engine_options.hot_budget_bytes = size_t{4} << 30;
  engine_options.refresh_interval = std::chrono::milliseconds(0);
  auto engine = Engine::Open(slot->store->store(), engine_options);
  if (!engine.ok()) {
    std::fprintf(stderr, "bench engine: %s\n", engine.status().ToString().c_str());
    std::exit(1);
  }
  slot->engine = std::move(*engine);
  return *slot;
}

}  // namespace blobgraph::bench
