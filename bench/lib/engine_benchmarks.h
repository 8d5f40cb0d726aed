// Reusable engine measurements for bench/ programs and `blobgraph bench`:
// each function runs one measurement on a given graph and returns figures.
//
// Timing: individual calls are timed with the TSC (calibrated against
// steady_clock once per process), so medians and p99s are per call, not
// Google Benchmark's means. Starts for prefetch are the callees of a
// generated trace (functions in the order a running program enters them),
// so popular functions are asked about as often as a runtime would.
// Threads: call from one thread; RecordRate starts its own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/lib/power_law_graph.h"
#include "bench/lib/reference_prefetcher.h"
#include "blobgraph/engine.h"
#include "blobgraph/graph_store.h"

namespace blobgraph::bench {

// A store in a fresh temporary directory, deleted on destruction.
class ScratchStore {
 public:
  // Imports `graph` (static counts) into a new store.
  static Result<std::unique_ptr<ScratchStore>> Create(const PowerLawGraph& graph,
                                                      const std::string& tag);
  ~ScratchStore();
  GraphStore* store() { return store_.get(); }
  double import_seconds() const { return import_seconds_; }

 private:
  std::string directory_;
  std::unique_ptr<GraphStore> store_;
  double import_seconds_ = 0;
};

struct LatencyFigures {
  double median_ns = 0;
  double p99_ns = 0;
  double mean_ns = 0;
  double results_per_call = 0;
};

struct PrefetchComparison {
  LatencyFigures ours;
  LatencyFigures reference;
  double ratio = 0;  // reference mean / ours mean = throughput ratio
  // The same calls again, untimed one by one: thread CPU time per call of a
  // plain loop. On a shared machine this leaves out time the thread spent
  // preempted, which per-call means (above) count at whichever call it hit.
  double ours_cpu_ns = 0;
  double reference_cpu_ns = 0;
  double cpu_ratio = 0;  // reference_cpu_ns / ours_cpu_ns
};

// Times `calls` Prefetch calls each of the engine and of the reference port
// at `options` (depth, top-N, min probability), starting from `starts`
// (cycled). The engine is asked with the same limits; max_results is raised
// to what the reference can return (depth 2, top 4: 20).
PrefetchComparison ComparePrefetch(Engine* engine, ReferencePrefetcher* reference,
                                   const std::vector<BlobHash>& starts,
                                   const PrefetchOptions& options, size_t calls);

// Starts for ComparePrefetch: the callees of a generated trace.
std::vector<BlobHash> TraceStarts(const PowerLawGraph& graph, size_t count, uint64_t seed);

// RecordCall rate (calls per second, all threads together) over `calls_per_thread`
// calls of `trace` per thread, each thread starting at its own offset.
double RecordRate(Engine* engine, const std::vector<TraceEvent>& trace, int threads,
                  uint64_t calls_per_thread);

struct OpenFigures {
  double seconds = 0;
  SnapshotInfo snapshot;
  double bytes_per_edge = 0;
  // bytes <= 24 per edge + 64 per function
  bool within_memory_target = false;
};

// Engine::Open on `store` with `hot_budget_bytes`; the engine is closed
// before returning (no background work runs while timing).
Result<OpenFigures> MeasureOpen(GraphStore* store, size_t hot_budget_bytes);

// All figures of one graph size, as `blobgraph bench` prints them.
struct EngineFigures {
  uint64_t functions = 0;
  uint64_t edges = 0;
  double import_seconds = 0;
  PrefetchComparison prefetch;
  double record_rate_1_thread = 0;
  double record_rate_2_threads = 0;
  OpenFigures open_whole;
  OpenFigures open_hot;  // budget for about `hot_functions` functions
  uint64_t hot_functions = 0;
};

struct EngineBenchOptions {
  PowerLawOptions graph;
  size_t prefetch_calls = 200000;
  uint64_t record_calls_per_thread = 20000000;
  uint64_t hot_functions = 100000;
};
Result<EngineFigures> RunEngineBenchmarks(const EngineBenchOptions& options);
// The same on a given graph (for example a dependency file); options.graph
// only seeds the generated starts and trace.
Result<EngineFigures> RunEngineBenchmarksOn(const PowerLawGraph& graph,
                                            const EngineBenchOptions& options);

// The hot budget for a snapshot of about `functions` functions (hot callers
// and the leaf callees they reach, together) of average out-degree
// `average_degree`.
size_t HotBudgetFor(uint64_t functions, double average_degree);

}  // namespace blobgraph::bench
