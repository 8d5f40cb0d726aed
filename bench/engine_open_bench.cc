// Engine::Open until the first snapshot answers: the whole graph, and a hot
// set budgeted for 100k functions, on stores of 100k and 1M functions
// (1M functions ~ 7M distinct edges, 8 call sites per function).
#include <benchmark/benchmark.h>

#include "bench/bench_fixture_util.h"

namespace blobgraph::bench {
namespace {

void Report(benchmark::State& state, const OpenFigures& figures) {
  state.counters["open_ms"] = figures.seconds * 1e3;
  state.counters["functions"] = static_cast<double>(figures.snapshot.functions);
  state.counters["edges"] = static_cast<double>(figures.snapshot.edges);
  state.counters["bytes_per_edge"] = figures.bytes_per_edge;
  state.counters["memory_target_ok"] = figures.within_memory_target ? 1 : 0;
}

void BM_OpenWhole(benchmark::State& state) {
  SizedFixture& fixture = FixtureFor(static_cast<uint64_t>(state.range(0)));
  OpenFigures figures;
  for (auto _ : state) {
    auto measured = MeasureOpen(fixture.store->store(), size_t{4} << 30);
    if (!measured.ok()) {
      state.SkipWithError(measured.status().ToString().c_str());
      return;
    }
    figures = *measured;
  }
  Report(state, figures);
}
BENCHMARK(BM_OpenWhole)->Arg(100000)->Arg(1000000)->Iterations(3)->Unit(benchmark::kMillisecond);

void BM_OpenHot100k(benchmark::State& state) {
  SizedFixture& fixture = FixtureFor(static_cast<uint64_t>(state.range(0)));
  double degree = static_cast<double>(fixture.graph.edges.size()) / fixture.graph.functions.size();
  OpenFigures figures;
  for (auto _ : state) {
    auto measured = MeasureOpen(fixture.store->store(), HotBudgetFor(100000, degree));
    if (!measured.ok()) {
      state.SkipWithError(measured.status().ToString().c_str());
      return;
    }
    figures = *measured;
  }
  Report(state, figures);
}
BENCHMARK(BM_OpenHot100k)->Arg(1000000)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace blobgraph::bench

BLOBGRAPH_BENCHMARK_MAIN()
