#include "bench/lib/engine_benchmarks.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <latch>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define BLOBGRAPH_HAVE_TSC 1
#endif

namespace blobgraph::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Keeps results of untimed loops observable so they are not optimised away.
volatile size_t benchmark_sink = 0;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Ticks of a cheap per-call clock and their length in ns.
struct TickClock {
  double ns_per_tick = 1.0;
  double overhead_ticks = 0;  // of one back-to-back read pair

  static uint64_t Now() {
#ifdef BLOBGRAPH_HAVE_TSC
    _mm_lfence();
    uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
#else
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
#endif
  }

  static const TickClock& Get() {
    static const TickClock clock = [] {
      TickClock c;
#ifdef BLOBGRAPH_HAVE_TSC
      auto wall = Clock::now();
      uint64_t start = Now();
      while (Clock::now() - wall < std::chrono::milliseconds(100)) {
      }
      c.ns_per_tick = Seconds(wall) * 1e9 / static_cast<double>(Now() - start);
#endif
      std::vector<uint64_t> pairs(10001);
      for (uint64_t& p : pairs) {
        uint64_t t0 = Now();
        p = Now() - t0;
      }
      std::nth_element(pairs.begin(), pairs.begin() + pairs.size() / 2, pairs.end());
      c.overhead_ticks = static_cast<double>(pairs[pairs.size() / 2]);
      return c;
    }();
    return clock;
  }
};

LatencyFigures Summarise(std::vector<double>& ns, double total_results) {
  LatencyFigures figures;
  if (ns.empty()) return figures;
  double sum = 0;
  for (double v : ns) sum += v;
  std::sort(ns.begin(), ns.end());
  figures.median_ns = ns[ns.size() / 2];
  figures.p99_ns = ns[std::min(ns.size() - 1, ns.size() * 99 / 100)];
  figures.mean_ns = sum / static_cast<double>(ns.size());
  figures.results_per_call = total_results / static_cast<double>(ns.size());
  return figures;
}

template <typename Call>
LatencyFigures TimeCalls(const std::vector<BlobHash>& starts, size_t calls, Call call) {
  const TickClock& clock = TickClock::Get();
  // Warm-up pass over (up to) one cycle of starts.
  for (size_t i = 0; i < std::min(calls, starts.size()); ++i) call(starts[i]);
  std::vector<double> ns;
  ns.reserve(calls);
  double results = 0;
  for (size_t i = 0; i < calls; ++i) {
    const BlobHash& start = starts[i % starts.size()];
    uint64_t t0 = TickClock::Now();
    size_t n = call(start);
    uint64_t t1 = TickClock::Now();
    results += static_cast<double>(n);
    double ticks = static_cast<double>(t1 - t0) - clock.overhead_ticks;
    ns.push_back(std::max(0.0, ticks) * clock.ns_per_tick);
  }
  return Summarise(ns, results);
}

double ThreadCpuSeconds() {
  timespec now;
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Thread CPU ns per call over `calls` calls (starts cycled), no per-call clock.
template <typename Call>
double CpuNsPerCall(const std::vector<BlobHash>& starts, size_t calls, Call call) {
  if (calls == 0 || starts.empty()) return 0;
  size_t sink = 0;
  double started = ThreadCpuSeconds();
  for (size_t i = 0; i < calls; ++i) sink += call(starts[i % starts.size()]);
  double seconds = ThreadCpuSeconds() - started;
  benchmark_sink = sink;
  return seconds * 1e9 / static_cast<double>(calls);
}

}  // namespace

Result<std::unique_ptr<ScratchStore>> ScratchStore::Create(const PowerLawGraph& graph,
                                                           const std::string& tag) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / ("blobgraph-bench-" + tag + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::IOError(pattern + ": cannot create a temporary directory");
  }
  std::unique_ptr<ScratchStore> scratch(new ScratchStore());
  scratch->directory_ = pattern;
  auto store = GraphStore::Open(pattern + "/store");
  if (!store.ok()) return store.status();
  scratch->store_ = std::move(*store);
  auto started = Clock::now();
  GraphUpdate update;
  update.functions = graph.functions;
  update.edges = graph.edges;
  ApplyOptions apply;
  apply.method = WriteMethod::kIngest;
  BLOBGRAPH_RETURN_IF_ERROR(scratch->store_->Apply(update, apply));
  scratch->import_seconds_ = Seconds(started);
  return scratch;
}

ScratchStore::~ScratchStore() {
  store_.reset();
  std::error_code ignored;
  if (!directory_.empty()) std::filesystem::remove_all(directory_, ignored);
}

std::vector<BlobHash> TraceStarts(const PowerLawGraph& graph, size_t count, uint64_t seed) {
  std::vector<BlobHash> starts;
  for (const TraceEvent& event : GenerateTrace(graph, count, seed)) starts.push_back(event.callee);
  return starts;
}

PrefetchComparison ComparePrefetch(Engine* engine, ReferencePrefetcher* reference,
                                   const std::vector<BlobHash>& starts,
                                   const PrefetchOptions& options, size_t calls) {
  PrefetchComparison comparison;
  PrefetchOptions ours = options;
  ours.max_results = std::max<uint32_t>(options.max_results, 20);
  std::vector<Prediction> out(ours.max_results);
  auto call_ours = [&](const BlobHash& start) {
    return engine->Prefetch(start, ours, out.data(), out.size());
  };
  auto call_reference = [&](const BlobHash& start) {
    reference->Prefetch(start);
    return reference->GetPrefetchQueue().size();
  };
  comparison.ours = TimeCalls(starts, calls, call_ours);
  comparison.reference = TimeCalls(starts, calls, call_reference);
  if (comparison.ours.mean_ns > 0) {
    comparison.ratio = comparison.reference.mean_ns / comparison.ours.mean_ns;
  }
  comparison.ours_cpu_ns = CpuNsPerCall(starts, calls, call_ours);
  comparison.reference_cpu_ns = CpuNsPerCall(starts, calls, call_reference);
  if (comparison.ours_cpu_ns > 0) {
    comparison.cpu_ratio = comparison.reference_cpu_ns / comparison.ours_cpu_ns;
  }
  return comparison;
}

double RecordRate(Engine* engine, const std::vector<TraceEvent>& trace, int threads,
                  uint64_t calls_per_thread) {
  if (trace.empty() || threads <= 0) return 0;
  std::latch ready(threads + 1);
  std::atomic<bool> go{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      size_t at = (trace.size() / threads) * t;
      ready.arrive_and_wait();
      while (!go.load(std::memory_order_acquire)) {
      }
      for (uint64_t i = 0; i < calls_per_thread; ++i) {
        const TraceEvent& event = trace[at];
        engine->RecordCall(event.caller, event.callee);
        if (++at == trace.size()) at = 0;
      }
    });
  }
  ready.arrive_and_wait();
  auto started = Clock::now();
  go.store(true, std::memory_order_release);
  for (std::thread& worker : workers) worker.join();
  double seconds = Seconds(started);
  return static_cast<double>(calls_per_thread) * threads / seconds;
}

Result<OpenFigures> MeasureOpen(GraphStore* store, size_t hot_budget_bytes) {
  EngineOptions options;
  options.hot_budget_bytes = hot_budget_bytes;
  options.refresh_interval = std::chrono::milliseconds(0);
  options.flush_interval = std::chrono::milliseconds(0);
  auto started = Clock::now();
  auto engine = Engine::Open(store, options);
  OpenFigures figures;
  figures.seconds = Seconds(started);
  if (!engine.ok()) return engine.status();
  figures.snapshot = (*engine)->Snapshot();
  if (figures.snapshot.edges > 0) {
    figures.bytes_per_edge =
        static_cast<double>(figures.snapshot.bytes) / static_cast<double>(figures.snapshot.edges);
  }
  figures.within_memory_target =
      figures.snapshot.bytes <= 24 * figures.snapshot.edges + 64 * figures.snapshot.functions;
  return figures;
}

size_t HotBudgetFor(uint64_t functions, double average_degree) {
  // 63 bytes per node (40 node + index) and 8 per edge: a snapshot of about
  // `functions` nodes, callers and the leaf callees they reach together.
  return static_cast<size_t>(static_cast<double>(functions) * (63 + average_degree * 8));
}

Result<EngineFigures> RunEngineBenchmarks(const EngineBenchOptions& options) {
  return RunEngineBenchmarksOn(GeneratePowerLawGraph(options.graph), options);
}

Result<EngineFigures> RunEngineBenchmarksOn(const PowerLawGraph& graph,
                                            const EngineBenchOptions& options) {
  EngineFigures figures;
  figures.functions = graph.functions.size();
  figures.edges = graph.edges.size();
  auto scratch = ScratchStore::Create(graph, std::to_string(figures.functions));
  if (!scratch.ok()) return scratch.status();
  GraphStore* store = (*scratch)->store();
  figures.import_seconds = (*scratch)->import_seconds();

  auto whole = MeasureOpen(store, size_t{4} << 30);
  if (!whole.ok()) return whole.status();
  figures.open_whole = *whole;
  figures.hot_functions = std::min<uint64_t>(options.hot_functions, figures.functions);
  double degree = figures.functions ? static_cast<double>(figures.edges) / figures.functions : 0;
  auto hot = MeasureOpen(store, HotBudgetFor(figures.hot_functions, degree));
  if (!hot.ok()) return hot.status();
  figures.open_hot = *hot;

  ReferencePrefetcher reference(ReferenceConfig{});
  reference.SetCallGraph(ReferenceCallGraph::BuildFromCallSiteCounts(graph.edges));
  EngineOptions engine_options;
  engine_options.hot_budget_bytes = size_t{4} << 30;
  // No periodic rebuilds of a big snapshot competing with the timed loops.
  engine_options.refresh_interval = std::chrono::milliseconds(0);
  auto engine = Engine::Open(store, engine_options);
  if (!engine.ok()) return engine.status();
  std::vector<BlobHash> starts = TraceStarts(graph, 1 << 18, options.graph.seed + 1);
  // The reference's settings, not the engine's defaults (see prefetch_bench).
  PrefetchOptions prefetch;
  prefetch.max_depth = 2;
  prefetch.top_n = 4;
  prefetch.min_probability = 0.1;
  figures.prefetch =
      ComparePrefetch(engine->get(), &reference, starts, prefetch, options.prefetch_calls);

  std::vector<TraceEvent> trace = GenerateTrace(graph, 1 << 20, options.graph.seed + 2);
  figures.record_rate_1_thread =
      RecordRate(engine->get(), trace, 1, options.record_calls_per_thread);
  figures.record_rate_2_threads =
      RecordRate(engine->get(), trace, 2, options.record_calls_per_thread);
  return figures;
}

}  // namespace blobgraph::bench
