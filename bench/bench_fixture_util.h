// Shared set-up of the engine benchmark programs: one power-law graph, its
// store and an engine per size, built once per process on first use.
#pragma once

#include <map>
#include <memory>

#include "bench/lib/engine_benchmarks.h"

namespace blobgraph::bench {

struct SizedFixture {
  PowerLawGraph graph;
  std::unique_ptr<ScratchStore> store;
  std::unique_ptr<Engine> engine;  // whole graph in the snapshot
};

// Exits the process with a message if the store cannot be built.
SizedFixture& FixtureFor(uint64_t functions);
// Closes every fixture's engine and store. Must run before exit: RocksDB
// cannot close during static destruction.
void ReleaseFixtures();

}  // namespace blobgraph::bench

// main() of the engine benchmark programs: BENCHMARK_MAIN plus ReleaseFixtures.
#define BLOBGRAPH_BENCHMARK_MAIN()                                      \
  int main(int argc, char** argv) {                                     \
    ::benchmark::Initialize(&argc, argv);                               \
    if (::benchmark::ReportUnrecognizedArguments(argc, argv)) return 1; \
    ::benchmark::RunSpecifiedBenchmarks();                              \
    ::benchmark::Shutdown();                                            \
    ::blobgraph::bench::ReleaseFixtures();                              \
    return 0;                                                           \
  }

namespace blobgraph::bench {}  // namespace blobgraph::bench
