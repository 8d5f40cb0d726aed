// storage_bench: the graph store on a power-law graph (default 1M functions,
// ~8M call sites; BLOBGRAPH_BENCH_FUNCTIONS=N for a quicker run, and
// BLOBGRAPH_BENCH_DIR for where the stores go, default the temp dir).
//
// Runs in order, one iteration each (they build on each other):
//   RawIngestFloor   our sorted edge rows, straight SstFileWriter + ingest
//                    into a bare RocksDB with the store's edge options
//   ImportIngest     Apply(kIngest) of the whole graph; vs_floor = ratio of
//                    edges/s to RawIngestFloor's; peak_rss_mb = process peak
//                    during the import (graph included)
//   MergeWriteBatch  dynamic increments to every edge via Apply(kWriteBatch)
//                    in batches of 50k edges
//   CompactAll       then bytes_per_edge = store bytes on disk / edges
//   Callees          Callees() of random callers, median latency in ns
//                    (RocksDB block cache allowed, no cache of ours;
//                    BLOBGRAPH_BENCH_CACHE_MB, default 512, sizes it)
// The write phases also report cpu_s (process CPU: the caller, the store's
// SST encoder thread, RocksDB's flushes and compactions) and edges per CPU
// second, since wall time on a shared machine says little.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <rocksdb/sst_file_writer.h>

#include "bench/lib/power_law_graph.h"
#include "blobgraph/graph_store.h"
#include "storage/key_layout.h"
#include "storage/store_options.h"

namespace blobgraph {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct BenchState {
  bench::PowerLawGraph graph;
  std::string root;
  double floor_edges_per_s = 0;
  double floor_edges_per_cpu_s = 0;
  std::unique_ptr<GraphStore> store;
};

BenchState& State() {
  static BenchState state;
  return state;
}

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  return value ? std::strtoull(value, nullptr, 10) : fallback;
}

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds of the whole process (this thread, the store's SST encoder
// and RocksDB's flushes and compactions). The machine may be shared, so
// every phase reports CPU time beside wall time.
double ProcessCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return now.tv_sec + now.tv_nsec * 1e-9;
}

// Resets the kernel's peak-RSS mark (VmHWM) so a phase can be measured alone.
void ResetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

double PeakRssMb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

// Encoded rows in caller order, built before the clock starts.
std::vector<std::pair<std::string, std::string>> SortedRows(const bench::PowerLawGraph& graph) {
  std::vector<std::pair<BlobHash, storage::RowEntry>> edges;
  edges.reserve(graph.edges.size());
  for (const EdgeDelta& e : graph.edges) edges.push_back({e.caller, {e.callee, e.static_count, 0}});
  std::sort(edges.begin(), edges.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second.callee < b.second.callee;
  });
  std::vector<std::pair<std::string, std::string>> rows;
  std::vector<storage::RowEntry> entries;
  for (size_t i = 0; i < edges.size();) {
    entries.clear();
    size_t j = i;
    for (; j < edges.size() && edges[j].first == edges[i].first; ++j)
      entries.push_back(edges[j].second);
    std::string row;
    storage::EncodeRow(entries, &row);
    rows.emplace_back(std::string(edges[i].first.AsBytes()), std::move(row));
    i = j;
  }
  return rows;
}

void RawIngestFloor(benchmark::State& bm) {
  BenchState& s = State();
  auto rows = SortedRows(s.graph);
  std::string dir = s.root + "/raw";
  fs::remove_all(dir);
  StoreOptions store_options;
  storage::TunedOptions tuned = storage::BuildOptions(store_options);
  rocksdb::Options options(tuned.db,
                           tuned.families[static_cast<size_t>(storage::Cf::kEdges)].options);
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir, &raw).ok()) return bm.SkipWithError("open raw db");
  std::unique_ptr<rocksdb::DB> db(raw);
  double cpu_seconds = 0;
  for (auto _ : bm) {
    auto start = Clock::now();
    double cpu_start = ProcessCpuSeconds();
    std::string file = dir + "-floor.sst";
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options);
    if (!writer.Open(file).ok()) return bm.SkipWithError("sst open");
    for (const auto& [key, row] : rows) {
      if (!writer.Put(key, row).ok()) return bm.SkipWithError("sst put");
    }
    if (!writer.Finish().ok()) return bm.SkipWithError("sst finish");
    rocksdb::IngestExternalFileOptions ingest;
    ingest.move_files = true;
    if (!db->IngestExternalFile({file}, ingest).ok()) return bm.SkipWithError("ingest");
    double seconds = Seconds(start);
    cpu_seconds = ProcessCpuSeconds() - cpu_start;
    bm.SetIterationTime(seconds);
    s.floor_edges_per_s = s.graph.edges.size() / seconds;
    s.floor_edges_per_cpu_s = s.graph.edges.size() / cpu_seconds;
  }
  bm.counters["edges_per_s"] = s.floor_edges_per_s;
  bm.counters["cpu_s"] = cpu_seconds;
  bm.counters["edges_per_cpu_s"] = s.floor_edges_per_cpu_s;
  db->Close().PermitUncheckedError();
  db.reset();
  fs::remove_all(dir);
}

void ImportIngest(benchmark::State& bm) {
  BenchState& s = State();
  std::string dir = s.root + "/store";
  fs::remove_all(dir);
  StoreOptions options;
  options.block_cache_bytes = EnvOr("BLOBGRAPH_BENCH_CACHE_MB", 512) << 20;
  auto opened = GraphStore::Open(dir, options);
  if (!opened.ok()) return bm.SkipWithError(opened.status().ToString().c_str());
  s.store = std::move(opened).value();
  double edges_per_s = 0, cpu_seconds = 0;
  for (auto _ : bm) {
    GraphUpdate update;
    update.edges = std::move(s.graph.edges);
    update.functions = s.graph.functions;
    ResetPeakRss();
    auto start = Clock::now();
    double cpu_start = ProcessCpuSeconds();
    Status status = s.store->Apply(update, {WriteMethod::kIngest});
    double seconds = Seconds(start);
    cpu_seconds = ProcessCpuSeconds() - cpu_start;
    s.graph.edges = std::move(update.edges);
    if (!status.ok()) return bm.SkipWithError(status.ToString().c_str());
    bm.SetIterationTime(seconds);
    edges_per_s = s.graph.edges.size() / seconds;
  }
  bm.counters["edges_per_s"] = edges_per_s;
  bm.counters["vs_floor"] = s.floor_edges_per_s > 0 ? edges_per_s / s.floor_edges_per_s : 0;
  bm.counters["cpu_s"] = cpu_seconds;
  double edges_per_cpu_s = s.graph.edges.size() / cpu_seconds;
  bm.counters["edges_per_cpu_s"] = edges_per_cpu_s;
  bm.counters["vs_floor_cpu"] =
      s.floor_edges_per_cpu_s > 0 ? edges_per_cpu_s / s.floor_edges_per_cpu_s : 0;
  // Includes the graph itself (the caller's GraphUpdate), which Apply reads.
  bm.counters["peak_rss_mb"] = PeakRssMb();
}

void MergeWriteBatch(benchmark::State& bm) {
  BenchState& s = State();
  if (!s.store) return bm.SkipWithError("no store");
  constexpr size_t kBatch = 50000;
  std::mt19937_64 rng(5);
  const auto& edges = s.graph.edges;
  double edges_per_s = 0, cpu_seconds = 0;
  for (auto _ : bm) {
    double seconds = 0;
    GraphUpdate update;
    for (size_t begin = 0; begin < edges.size(); begin += kBatch) {
      size_t end = std::min(edges.size(), begin + kBatch);
      update.edges.assign(edges.begin() + begin, edges.begin() + end);
      for (EdgeDelta& edge : update.edges) {
        edge.static_count = 0;
        edge.dynamic_count = 1 + rng() % 100;
      }
      auto start = Clock::now();
      double cpu_start = ProcessCpuSeconds();
      Status status = s.store->Apply(update, {WriteMethod::kWriteBatch});
      seconds += Seconds(start);
      cpu_seconds += ProcessCpuSeconds() - cpu_start;
      if (!status.ok()) return bm.SkipWithError(status.ToString().c_str());
    }
    bm.SetIterationTime(seconds);
    edges_per_s = edges.size() / seconds;
  }
  bm.counters["edges_per_s"] = edges_per_s;
  bm.counters["cpu_s"] = cpu_seconds;
  bm.counters["edges_per_cpu_s"] = edges.size() / cpu_seconds;
}

void CompactAll(benchmark::State& bm) {
  BenchState& s = State();
  if (!s.store) return bm.SkipWithError("no store");
  for (auto _ : bm) {
    auto start = Clock::now();
    Status status = s.store->CompactAll();
    if (!status.ok()) return bm.SkipWithError(status.ToString().c_str());
    bm.SetIterationTime(Seconds(start));
  }
  auto stats = s.store->Stats();
  if (!stats.ok()) return bm.SkipWithError(stats.status().ToString().c_str());
  bm.counters["edges"] = stats->edges;
  bm.counters["functions"] = stats->functions;
  bm.counters["bytes_on_disk"] = stats->bytes_on_disk;
  bm.counters["bytes_per_edge"] = static_cast<double>(stats->bytes_on_disk) / stats->edges;
}

void Callees(benchmark::State& bm) {
  BenchState& s = State();
  if (!s.store) return bm.SkipWithError("no store");
  std::mt19937_64 rng(9);
  std::vector<double> latencies_ns;
  size_t callees = 0;
  for (auto _ : bm) {
    const BlobHash& caller = s.graph.functions[rng() % s.graph.functions.size()];
    auto start = Clock::now();
    auto result = s.store->Callees(caller);
    latencies_ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - start).count());
    if (!result.ok()) return bm.SkipWithError(result.status().ToString().c_str());
    callees += result->size();
    benchmark::DoNotOptimize(result);
  }
  std::sort(latencies_ns.begin(), latencies_ns.end());
  bm.counters["median_ns"] = latencies_ns[latencies_ns.size() / 2];
  bm.counters["p99_ns"] = latencies_ns[latencies_ns.size() * 99 / 100];
  bm.counters["mean_callees"] = static_cast<double>(callees) / latencies_ns.size();
}

}  // namespace
}  // namespace blobgraph

int main(int argc, char** argv) {
  using namespace blobgraph;
  benchmark::Initialize(&argc, argv);
  BenchState& s = State();
  bench::PowerLawOptions graph_options;
  graph_options.functions = EnvOr("BLOBGRAPH_BENCH_FUNCTIONS", 1000000);
  s.graph = bench::GeneratePowerLawGraph(graph_options);
  const char* root = std::getenv("BLOBGRAPH_BENCH_DIR");
  s.root = (fs::path(root ? root : fs::temp_directory_path().string()) /
            ("blobgraph-storage-bench-" + std::to_string(getpid())))
               .string();
  fs::create_directories(s.root);
  std::printf("graph: %zu functions, %zu distinct edges, %llu call sites\n",
              s.graph.functions.size(), s.graph.edges.size(),
              static_cast<unsigned long long>(s.graph.call_sites));
  for (auto [name, fn] :
       {std::pair{"RawIngestFloor", &RawIngestFloor}, std::pair{"ImportIngest", &ImportIngest},
        std::pair{"MergeWriteBatch", &MergeWriteBatch}, std::pair{"CompactAll", &CompactAll}}) {
    benchmark::RegisterBenchmark(name, fn)->Iterations(1)->UseManualTime()->Unit(
        benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("Callees", &Callees)->Iterations(200000);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  s.store.reset();
  fs::remove_all(s.root);
  return 0;
}
