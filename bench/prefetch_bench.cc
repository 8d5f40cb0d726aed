// Prefetch at depth 2, top 4, min probability 0.1 on power-law graphs of
// 10k, 100k and 1M functions (average out-degree 8): the engine against the
// reference port, same graph, same starts, same process.
//   BM_PrefetchOurs / BM_PrefetchReference: throughput (Google Benchmark means).
//   BM_PrefetchCompare: per-call median and p99 of both, the throughput ratio
//   and the hot graph's measured bytes per edge, as counters.
#include <benchmark/benchmark.h>

#include "bench/bench_fixture_util.h"

namespace blobgraph::bench {
namespace {

const std::vector<BlobHash>& Starts(uint64_t functions) {
  static std::map<uint64_t, std::vector<BlobHash>> starts;
  auto& list = starts[functions];
  if (list.empty()) list = TraceStarts(FixtureFor(functions).graph, 1 << 18, 2);
  return list;
}

ReferencePrefetcher& Reference(uint64_t functions) {
  static std::map<uint64_t, std::unique_ptr<ReferencePrefetcher>> references;
  auto& slot = references[functions];
  if (!slot) {
    slot = std::make_unique<ReferencePrefetcher>(ReferenceConfig{});
    slot->SetCallGraph(
        ReferenceCallGraph::BuildFromCallSiteCounts(FixtureFor(functions).graph.edges));
  }
  return *slot;
}

PrefetchOptions BenchOptions() {
  // The reference's settings (depth 2, top 4, min probability 0.1), not the
  // engine's defaults, so the figures compare with the reference's walk.
  PrefetchOptions options;
  options.max_depth = 2;
  options.top_n = 4;
  options.min_probability = 0.1;
  options.max_results = 20;
  return options;
}

void BM_PrefetchOurs(benchmark::State& state) {
  uint64_t functions = static_cast<uint64_t>(state.range(0));
  Engine* engine = FixtureFor(functions).engine.get();
  const auto& starts = Starts(functions);
  PrefetchOptions options = BenchOptions();
  Prediction out[20];
  size_t i = 0, results = 0;
  for (auto _ : state) {
    results += engine->Prefetch(starts[i], options, out, 20);
    if (++i == starts.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["results_per_call"] =
      static_cast<double>(results) / static_cast<double>(state.iterations());
}

void BM_PrefetchReference(benchmark::State& state) {
  uint64_t functions = static_cast<uint64_t>(state.range(0));
  ReferencePrefetcher& reference = Reference(functions);
  const auto& starts = Starts(functions);
  size_t i = 0, results = 0;
  for (auto _ : state) {
    reference.Prefetch(starts[i]);
    results += reference.GetPrefetchQueue().size();
    if (++i == starts.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["results_per_call"] =
      static_cast<double>(results) / static_cast<double>(state.iterations());
}

void BM_PrefetchCompare(benchmark::State& state) {
  uint64_t functions = static_cast<uint64_t>(state.range(0));
  SizedFixture& fixture = FixtureFor(functions);
  PrefetchComparison comparison;
  for (auto _ : state) {
    comparison = ComparePrefetch(fixture.engine.get(), &Reference(functions), Starts(functions),
                                 BenchOptions(), 300000);
  }
  SnapshotInfo snapshot = fixture.engine->Snapshot();
  state.counters["ours_median_ns"] = comparison.ours.median_ns;
  state.counters["ours_p99_ns"] = comparison.ours.p99_ns;
  state.counters["ref_median_ns"] = comparison.reference.median_ns;
  state.counters["ref_p99_ns"] = comparison.reference.p99_ns;
  state.counters["ratio"] = comparison.ratio;
  state.counters["cpu_ratio"] = comparison.cpu_ratio;
  state.counters["ours_cpu_ns"] = comparison.ours_cpu_ns;
  state.counters["ref_cpu_ns"] = comparison.reference_cpu_ns;
  state.counters["bytes_per_edge"] =
      static_cast<double>(snapshot.bytes) / static_cast<double>(snapshot.edges);
  state.counters["bytes_per_fn_edge_ok"] =
      snapshot.bytes <= 24 * snapshot.edges + 64 * snapshot.functions ? 1 : 0;
}

BENCHMARK(BM_PrefetchOurs)->Arg(10000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_PrefetchReference)->Arg(10000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_PrefetchCompare)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace blobgraph::bench

BLOBGRAPH_BENCHMARK_MAIN()
