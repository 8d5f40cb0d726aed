// RecordCall rate on one and two threads, replaying a generated trace of a
// 100k-function power-law graph (flushes to the store run in the background
// every second, as in production).
#include <benchmark/benchmark.h>

#include "bench/bench_fixture_util.h"

namespace blobgraph::bench {
namespace {

constexpr uint64_t kFunctions = 100000;

const std::vector<TraceEvent>& Trace() {
  static const std::vector<TraceEvent> trace =
      GenerateTrace(FixtureFor(kFunctions).graph, 1 << 20, 3);
  return trace;
}

// Google Benchmark threads: items/s is the rate over all threads.
void BM_RecordCall(benchmark::State& state) {
  Engine* engine = FixtureFor(kFunctions).engine.get();
  const auto& trace = Trace();
  size_t i = (trace.size() / 2) * static_cast<size_t>(state.thread_index());
  for (auto _ : state) {
    engine->RecordCall(trace[i].caller, trace[i].callee);
    if (++i == trace.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordCall)->Threads(1)->Threads(2)->UseRealTime();

// The same through RecordRate (what `blobgraph bench` reports).
void BM_RecordRate(benchmark::State& state) {
  Engine* engine = FixtureFor(kFunctions).engine.get();
  double rate = 0;
  for (auto _ : state)
    rate = RecordRate(engine, Trace(), static_cast<int>(state.range(0)), 20000000);
  state.counters["calls_per_sec"] = rate;
}
BENCHMARK(BM_RecordRate)->Arg(1)->Arg(2)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace blobgraph::bench

BLOBGRAPH_BENCHMARK_MAIN()
