// The profile server's figures (README, "Profile server"): sustained push
// throughput from 8 clients, pull of the hot part of a 1M-function / 8M-edge
// store, and callees latency while 8 clients push. Server and clients run in
// this process over loopback TCP (real RPC, real synced writes), so they share
// the machine's cores as a server and co-located clients would.
//
//   build-*/bench/server_bench [--benchmark_filter=Push]
// The 1M-function store is built once into $BLOBGRAPH_BENCH_DIR (default
// /tmp/blobgraph-server-bench) and reused by later runs.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>
#include <vector>

#include "bench/lib/power_law_graph.h"
#include "blobgraph/profile_client.h"
#include "server/profile_server.h"

namespace blobgraph::server {
namespace {

using Clock = std::chrono::steady_clock;

std::string BenchDir() {
  const char* dir = std::getenv("BLOBGRAPH_BENCH_DIR");
  return dir ? dir : "/tmp/blobgraph-server-bench";
}

[[noreturn]] void Die(const Status& status) {
  std::fprintf(stderr, "server_bench: %s\n", status.ToString().c_str());
  std::exit(1);
}

// A ProfileServer on 127.0.0.1:<ephemeral> serving `db` from its own thread.
class InProcessServer {
 public:
  explicit InProcessServer(const std::string& db) {
    ServerOptions options;
    options.db_path = db;
    options.listen = "127.0.0.1:0";
    options.handle_signals = false;
    options.log = std::getenv("BENCH_SERVER_LOG") != nullptr;
    options.engine.refresh_interval = std::chrono::milliseconds(10000);
    auto server = ProfileServer::Open(options);
    if (!server.ok()) Die(server.status());
    server_ = std::move(*server);
    thread_ = std::thread([this] {
      Status served = server_->Serve();
      if (!served.ok()) Die(served);
    });
    while (server_->port() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~InProcessServer() {
    server_->Stop();
    thread_.join();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(server_->port()); }

 private:
  std::unique_ptr<ProfileServer> server_;
  std::thread thread_;
};

std::unique_ptr<ProfileClient> Connect(const std::string& address) {
  ClientOptions options;
  options.address = address;
  auto client = ProfileClient::Connect(options);
  if (!client.ok()) Die(client.status());
  return std::move(*client);
}

// Profile `index` of `edges` edges: a slice of the graph with observed counts.
GraphUpdate SliceProfile(const bench::PowerLawGraph& graph, uint64_t index, size_t edges) {
  GraphUpdate update;
  update.edges.reserve(edges);
  std::mt19937_64 random(index + 1);
  size_t start = (index * edges * 7) % graph.edges.size();
  for (size_t i = 0; i < edges; ++i) {
    EdgeDelta edge = graph.edges[(start + i) % graph.edges.size()];
    edge.dynamic_count = 1 + random() % 16;
    update.edges.push_back(edge);
  }
  update.profile = ProfileInfo::NewForThisHost();
  return update;
}

const bench::PowerLawGraph& PushGraph() {
  static const bench::PowerLawGraph graph = bench::GeneratePowerLawGraph({.functions = 100000});
  return graph;
}

std::string FreshDir(const std::string& name) {
  std::string dir = BenchDir() + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(BenchDir());
  return dir;
}

// 8 clients each push `pushes` profiles of state.range(0) edges; the time is
// from the first byte sent to the last acknowledgement (synced to disk).
void BM_PushThroughput(benchmark::State& state) {
  const size_t edges_per_push = state.range(0);
  const int clients = 8, pushes = static_cast<int>(state.range(1));
  const auto& graph = PushGraph();
  std::string db = FreshDir("push");
  InProcessServer server(db);
  uint64_t next_profile = 0;
  for (auto _ : state) {
    std::vector<std::vector<GraphUpdate>> work(clients);
    for (auto& list : work) {
      for (int p = 0; p < pushes; ++p)
        list.push_back(SliceProfile(graph, next_profile++, edges_per_push));
    }
    std::vector<std::unique_ptr<ProfileClient>> connections;
    for (int c = 0; c < clients; ++c) connections.push_back(Connect(server.address()));
    auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        for (const auto& update : work[c]) {
          auto pushed = connections[c]->Push(update);
          if (!pushed.ok()) Die(pushed.status());
        }
      });
    }
    for (auto& thread : threads) thread.join();
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - start).count());
  }
  double edges = double(edges_per_push) * clients * pushes * state.iterations();
  state.counters["edges_per_s"] = benchmark::Counter(edges, benchmark::Counter::kIsRate);
  state.counters["pushes_per_s"] = benchmark::Counter(double(clients) * pushes * state.iterations(),
                                                      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PushThroughput)
    ->Args({10000, 4})
    ->Args({50000, 4})
    ->Args({200000, 2})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

// The 1M-function / 8M-edge store, with observed counts skewed like the
// call-site popularity, built once and reused.
std::string LargeStore() {
  std::string db = BenchDir() + "/large-1m";
  if (std::filesystem::exists(db + "/CURRENT")) return db;
  std::filesystem::create_directories(BenchDir());
  auto graph = bench::GeneratePowerLawGraph({.functions = 1000000, .degree = 8.0});
  StoreOptions options;
  auto store = GraphStore::Open(db, options);
  if (!store.ok()) Die(store.status());
  std::mt19937_64 random(7);
  const size_t batch = 1 << 20;
  for (size_t begin = 0; begin < graph.edges.size(); begin += batch) {
    GraphUpdate update;
    size_t end = std::min(graph.edges.size(), begin + batch);
    update.edges.assign(graph.edges.begin() + begin, graph.edges.begin() + end);
    for (auto& edge : update.edges) edge.dynamic_count = edge.static_count * (random() % 8);
    Status applied = (*store)->Apply(update, {.method = WriteMethod::kIngest});
    if (!applied.ok()) Die(applied);
  }
  if (Status compacted = (*store)->CompactAll(); !compacted.ok()) Die(compacted);
  std::fprintf(stderr, "server_bench: built %s: %zu functions, %zu edges\n", db.c_str(),
               graph.functions.size(), graph.edges.size());
  return db;
}

void BM_PullHot(benchmark::State& state) {
  InProcessServer server(LargeStore());
  auto client = Connect(server.address());
  size_t edges = 0, functions = 0;
  for (auto _ : state) {
    auto pulled = client->Pull({.max_functions = static_cast<uint64_t>(state.range(0))});
    if (!pulled.ok()) Die(pulled.status());
    edges = pulled->edges.size();
    functions = pulled->functions.size();
    benchmark::DoNotOptimize(pulled->edges.data());
  }
  state.counters["edges"] = double(edges);
  state.counters["callee_less"] = double(functions);
}
BENCHMARK(BM_PullHot)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// Callees latency on one connection while 8 others push 10k-edge profiles
// without pause.
void BM_CalleesWhilePushing(benchmark::State& state) {
  const auto& graph = PushGraph();
  std::string db = FreshDir("callees");
  InProcessServer server(db);
  {
    auto seed = Connect(server.address());
    for (int p = 0; p < 8; ++p) {
      if (auto pushed = seed->Push(SliceProfile(graph, 900000 + p, 100000)); !pushed.ok())
        Die(pushed.status());
    }
  }
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> pushed_edges{0};
  std::vector<std::thread> pushers;
  for (int c = 0; c < 8; ++c) {
    pushers.emplace_back([&, c] {
      auto client = Connect(server.address());
      for (uint64_t p = 0; !stop.load(); ++p) {
        auto pushed = client->Push(SliceProfile(graph, 1000000 + c * 100000 + p, 10000));
        if (!pushed.ok()) Die(pushed.status());
        pushed_edges.fetch_add(10000);
      }
    });
  }
  auto client = Connect(server.address());
  std::mt19937_64 random(3);
  std::vector<double> latencies_us;
  auto start = Clock::now();
  for (auto _ : state) {
    // Callers drawn from the edge list: popular functions are asked most.
    const BlobHash& caller = graph.edges[random() % graph.edges.size()].caller;
    auto begin = Clock::now();
    auto callees = client->Callees(caller, 16);
    latencies_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - begin).count());
    if (!callees.ok()) Die(callees.status());
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  stop.store(true);
  for (auto& thread : pushers) thread.join();
  std::sort(latencies_us.begin(), latencies_us.end());
  auto at = [&](double q) {
    return latencies_us[std::min(latencies_us.size() - 1, size_t(q * latencies_us.size()))];
  };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
  state.counters["max_us"] = latencies_us.back();
  state.counters["push_edges_per_s"] = double(pushed_edges.load()) / seconds;
}
BENCHMARK(BM_CalleesWhilePushing)->Iterations(20000)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace blobgraph::server

BENCHMARK_MAIN();
