// C API prefetch vs C++ Engine::Prefetch: what the C layer costs per call.
//
// Both query one store (opened read-only twice) built from the engine
// benchmark's power-law graph (bench/lib/power_law_graph.h; 100k functions,
// mean 8 call sites; BLOBGRAPH_BENCH_FUNCTIONS overrides), at the default
// settings (depth 2, top 4, min probability 0.1, 16 results), starting from
// the callees of a generated trace. Target: C / C++ <= 1.10.
//
//   build/bench/capi_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only
//
// BM_CApiOverCxx interleaves blocks of both calls and reports the ratio as a
// counter, so slow drift (frequency, cache state) hits both sides alike; it
// times with the thread's CPU clock, so time the thread spends preempted on a
// busy machine counts for neither side.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench/lib/power_law_graph.h"
#include "blobgraph/c.h"
#include "blobgraph/engine.h"
#include "blobgraph/graph_store.h"

namespace blobgraph::bench {
namespace {

constexpr size_t kQueries = 1 << 14;
constexpr size_t kCapacity = 16;

class Fixture {
 public:
  static Fixture& Get() {
    static Fixture fixture;
    return fixture;
  }

  Engine* cxx_engine() { return cxx_engine_.get(); }
  blobgraph_engine* c_engine() { return c_engine_; }
  const std::vector<BlobHash>& queries() const { return queries_; }
  const std::vector<blobgraph_hash>& c_queries() const { return c_queries_; }

 private:
  Fixture() {
    dir_ = std::filesystem::temp_directory_path() /
           ("blobgraph-capi-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    std::string path = (dir_ / "store").string();
    PowerLawOptions options;
    if (const char* functions = std::getenv("BLOBGRAPH_BENCH_FUNCTIONS")) {
      options.functions = std::strtoull(functions, nullptr, 10);
    }
    PowerLawGraph graph = GeneratePowerLawGraph(options);
    {
      auto store = GraphStore::Open(path);
      Check(store.status());
      GraphUpdate update;
      update.edges = graph.edges;
      update.functions = graph.functions;
      Check((*store)->Apply(update, ApplyOptions{.method = WriteMethod::kIngest}));
    }
    for (const TraceEvent& event : GenerateTrace(graph, kQueries, /*seed=*/7)) {
      queries_.push_back(event.callee);
      blobgraph_hash hash;
      std::memcpy(hash.bytes, event.callee.data(), BlobHash::kSize);
      c_queries_.push_back(hash);
    }

    StoreOptions read_only;
    read_only.read_only = true;
    auto store = GraphStore::Open(path, read_only);
    Check(store.status());
    cxx_store_ = std::move(*store);
    EngineOptions engine_options;
    engine_options.refresh_interval = std::chrono::milliseconds(0);
    engine_options.flush_interval = std::chrono::milliseconds(0);
    auto engine = Engine::Open(cxx_store_.get(), engine_options);
    Check(engine.status());
    cxx_engine_ = std::move(*engine);

    blobgraph_store_options c_store_options;
    blobgraph_store_options_init(&c_store_options);
    c_store_options.read_only = 1;
    CheckC(blobgraph_store_open(path.c_str(), &c_store_options, &c_store_));
    blobgraph_engine_options c_engine_options;
    blobgraph_engine_options_init(&c_engine_options);
    c_engine_options.refresh_interval_ms = 0;
    c_engine_options.flush_interval_ms = 0;
    CheckC(blobgraph_engine_open(c_store_, &c_engine_options, &c_engine_));
  }

  ~Fixture() {
    blobgraph_engine_close(c_engine_);  // read-only: the flush has nothing to write
    blobgraph_store_close(c_store_);
    cxx_engine_.reset();
    cxx_store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  static void Check(const Status& status) {
    if (!status.ok()) {
      std::fprintf(stderr, "capi_bench: %s\n", status.ToString().c_str());
      std::exit(1);
    }
  }
  static void CheckC(blobgraph_status status) {
    if (status != BLOBGRAPH_OK) {
      std::fprintf(stderr, "capi_bench: %s\n", blobgraph_last_error());
      std::exit(1);
    }
  }

  std::filesystem::path dir_;
  std::unique_ptr<GraphStore> cxx_store_;
  std::unique_ptr<Engine> cxx_engine_;
  blobgraph_store* c_store_ = nullptr;
  blobgraph_engine* c_engine_ = nullptr;
  std::vector<BlobHash> queries_;
  std::vector<blobgraph_hash> c_queries_;
};

// The C++ side exactly as a C++ runtime would call it.
size_t CxxBlock(Engine* engine, const std::vector<BlobHash>& queries, size_t begin, size_t calls,
                Prediction* out) {
  PrefetchOptions options;
  size_t total = 0;
  for (size_t i = 0; i < calls; ++i) {
    total += engine->Prefetch(queries[(begin + i) % kQueries], options, out, kCapacity);
    benchmark::DoNotOptimize(out);
  }
  return total;
}

// The C side: hashes and probabilities into the caller's arrays.
size_t CBlock(blobgraph_engine* engine, const std::vector<blobgraph_hash>& queries, size_t begin,
              size_t calls, blobgraph_hash* hashes, float* probabilities) {
  size_t total = 0;
  for (size_t i = 0; i < calls; ++i) {
    size_t count = 0;
    blobgraph_prefetch(engine, &queries[(begin + i) % kQueries], nullptr, hashes, probabilities,
                       kCapacity, &count);
    benchmark::DoNotOptimize(hashes);
    total += count;
  }
  return total;
}

void BM_CxxPrefetch(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  Prediction out[kCapacity];
  size_t i = 0, results = 0;
  for (auto _ : state) results += CxxBlock(f.cxx_engine(), f.queries(), i++, 1, out);
  state.counters["results_per_call"] =
      benchmark::Counter(double(results) / double(state.iterations()));
}
BENCHMARK(BM_CxxPrefetch);

void BM_CApiPrefetch(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  blobgraph_hash hashes[kCapacity];
  float probabilities[kCapacity];
  size_t i = 0, results = 0;
  for (auto _ : state)
    results += CBlock(f.c_engine(), f.c_queries(), i++, 1, hashes, probabilities);
  state.counters["results_per_call"] =
      benchmark::Counter(double(results) / double(state.iterations()));
}
BENCHMARK(BM_CApiPrefetch);

double ThreadCpuNs() {
  timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return double(now.tv_sec) * 1e9 + double(now.tv_nsec);
}

// One iteration = kBlock C++ calls then the same kBlock queries through C.
void BM_CApiOverCxx(benchmark::State& state) {
  constexpr size_t kBlock = 1024;
  Fixture& f = Fixture::Get();
  Prediction out[kCapacity];
  blobgraph_hash hashes[kCapacity];
  float probabilities[kCapacity];
  double cxx_ns = 0, c_ns = 0;
  size_t begin = 0, cxx_results = 0, c_results = 0;
  for (auto _ : state) {
    double t0 = ThreadCpuNs();
    cxx_results += CxxBlock(f.cxx_engine(), f.queries(), begin, kBlock, out);
    double t1 = ThreadCpuNs();
    c_results += CBlock(f.c_engine(), f.c_queries(), begin, kBlock, hashes, probabilities);
    double t2 = ThreadCpuNs();
    cxx_ns += t1 - t0;
    c_ns += t2 - t1;
    begin += kBlock;
  }
  if (cxx_results != c_results) state.SkipWithError("C and C++ returned different result counts");
  double calls = double(state.iterations()) * kBlock;
  state.counters["cxx_ns"] = cxx_ns / calls;
  state.counters["c_ns"] = c_ns / calls;
  state.counters["ratio"] = cxx_ns > 0 ? c_ns / cxx_ns : 0;
}
BENCHMARK(BM_CApiOverCxx)->Unit(benchmark::kMicrosecond)->MinTime(2.0);

}  // namespace
}  // namespace blobgraph::bench

BENCHMARK_MAIN();
