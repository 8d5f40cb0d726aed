// blobgraph bench: prefetch latency ours vs the reference algorithm,
// RecordCall rate, warm-start time and hot-graph memory, on synthetic
// power-law graphs or on a given dependency file.
#include <cstdio>
#include <sstream>
#include <unordered_set>

#include "bench/lib/engine_benchmarks.h"
#include "formats/dependency_io.h"
#include "tools/command_line.h"
#include "tools/progress.h"

namespace blobgraph::tools {
namespace {

// A dependency file as a benchmark graph: its functions and static edges.
Result<bench::PowerLawGraph> GraphFromDependencies(const std::string& path) {
  auto loaded = formats::LoadDependencies(path);
  if (!loaded.ok()) return loaded.status();
  bench::PowerLawGraph graph;
  std::unordered_set<BlobHash> seen;
  auto add = [&](const BlobHash& hash) {
    if (seen.insert(hash).second) graph.functions.push_back(hash);
  };
  for (const BlobHash& hash : loaded->update.functions) add(hash);
  for (const EdgeDelta& edge : loaded->update.edges) {
    add(edge.caller);
    add(edge.callee);
    graph.call_sites += edge.static_count;
  }
  graph.edges = std::move(loaded->update.edges);
  return graph;
}

// Bench's own bounds: a synthetic graph is built in memory (~100 bytes per
// function), and per-call timings are kept for percentiles.
constexpr uint64_t kMaxBenchFunctions = 100'000'000;
constexpr uint64_t kMaxPrefetchCalls = 100'000'000;
constexpr uint64_t kMaxRecordCalls = 10'000'000'000;

// "10000,100000": each a whole number from 1 to kMaxBenchFunctions.
Result<std::vector<uint64_t>> ParseSizes(const std::string& list) {
  std::vector<uint64_t> sizes;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    auto size = ParseWholeFlag("--functions", item, {1, kMaxBenchFunctions});
    if (!size.ok()) return size.status();
    sizes.push_back(*size);
  }
  if (sizes.empty()) {
    return Status::InvalidInput("--functions '" + list + "': expected a comma-separated list of "
                                "whole numbers from 1 to " + std::to_string(kMaxBenchFunctions));
  }
  return sizes;
}

void PrintText(const std::string& label, const bench::EngineFigures& f) {
  std::printf("== %s: %llu functions, %llu edges (import %.2f s)\n", label.c_str(),
              (unsigned long long)f.functions, (unsigned long long)f.edges, f.import_seconds);
  std::printf("  prefetch (depth 2, top 4, min-prob 0.1), ns per call:\n");
  std::printf("    %-10s median %8.0f  p99 %8.0f  mean %8.0f  results %.1f\n", "ours",
              f.prefetch.ours.median_ns, f.prefetch.ours.p99_ns, f.prefetch.ours.mean_ns,
              f.prefetch.ours.results_per_call);
  std::printf("    %-10s median %8.0f  p99 %8.0f  mean %8.0f  results %.1f\n", "reference",
              f.prefetch.reference.median_ns, f.prefetch.reference.p99_ns,
              f.prefetch.reference.mean_ns, f.prefetch.reference.results_per_call);
  std::printf("    throughput ratio ours / reference: %.1fx\n", f.prefetch.ratio);
  std::printf("  RecordCall: %.1fM calls/s on 1 thread, %.1fM/s on 2\n",
              f.record_rate_1_thread / 1e6, f.record_rate_2_threads / 1e6);
  std::printf("  warm start (Engine::Open): whole graph %.3f s, %llu-function hot set %.3f s\n",
              f.open_whole.seconds, (unsigned long long)f.hot_functions, f.open_hot.seconds);
  std::printf("  hot graph: %.1f bytes per edge (%llu bytes, %llu functions, %llu edges)\n",
              f.open_whole.bytes_per_edge, (unsigned long long)f.open_whole.snapshot.bytes,
              (unsigned long long)f.open_whole.snapshot.functions,
              (unsigned long long)f.open_whole.snapshot.edges);
}

std::string Json(const std::string& label, const bench::EngineFigures& f) {
  char buffer[2048];
  std::snprintf(
      buffer, sizeof(buffer),
      "{\"graph\":%s,\"functions\":%llu,\"edges\":%llu,\"import_seconds\":%.4f,"
      "\"prefetch\":{\"depth\":2,\"top\":4,\"min_prob\":0.1,"
      "\"ours\":{\"median_ns\":%.1f,\"p99_ns\":%.1f,\"mean_ns\":%.1f},"
      "\"reference\":{\"median_ns\":%.1f,\"p99_ns\":%.1f,\"mean_ns\":%.1f},\"ratio\":%.2f},"
      "\"record_calls_per_second\":{\"threads_1\":%.0f,\"threads_2\":%.0f},"
      "\"warm_start_seconds\":{\"whole\":%.4f,\"hot\":%.4f,\"hot_functions\":%llu},"
      "\"hot_graph\":{\"bytes\":%llu,\"bytes_per_edge\":%.2f,\"functions\":%llu,\"edges\":%llu}}",
      JsonString(label).c_str(), (unsigned long long)f.functions, (unsigned long long)f.edges,
      f.import_seconds, f.prefetch.ours.median_ns, f.prefetch.ours.p99_ns, f.prefetch.ours.mean_ns,
      f.prefetch.reference.median_ns, f.prefetch.reference.p99_ns, f.prefetch.reference.mean_ns,
      f.prefetch.ratio, f.record_rate_1_thread, f.record_rate_2_threads, f.open_whole.seconds,
      f.open_hot.seconds, (unsigned long long)f.hot_functions,
      (unsigned long long)f.open_whole.snapshot.bytes, f.open_whole.bytes_per_edge,
      (unsigned long long)f.open_whole.snapshot.functions,
      (unsigned long long)f.open_whole.snapshot.edges);
  return buffer;
}

}  // namespace

int RunBench(const Args& args) {
  CommandLine cli("bench", "bench [--functions N[,N...] | --deps FILE] [--json]",
                  "Measures, in one process, for each graph: prefetch latency (median, p99) at\n"
                  "depth 2, top 4, min probability 0.1 for blobgraph and for a faithful port of\n"
                  "the reference algorithm, with the throughput ratio; the RecordCall rate on 1\n"
                  "and 2 threads; warm-start time (Engine::Open of the whole graph and of a\n"
                  "100k-function hot set); and hot-graph bytes per edge. Graphs are synthetic\n"
                  "power-law graphs (average 8 call sites per function) or a dependency file.\n"
                  "Uses a scratch store in $TMPDIR; --db is not used.");
  cli.flags().add_options()
      ("functions", po::value<std::string>()->default_value("10000,100000,1000000"),
       "synthetic graph sizes, comma separated (each a whole number from 1 to 100000000)")
      ("deps", po::value<std::string>(), "measure this dependency file (text or capnp) instead")
      ;
  cli.AddWhole("seed", 1, {}, "graph generator seed");
  cli.AddWhole("prefetch-calls", 200000, {1, kMaxPrefetchCalls}, "timed prefetch calls");
  cli.AddWhole("record-calls", 20000000, {1, kMaxRecordCalls}, "RecordCall calls per thread");
  cli.AllowJson();
  if (auto exit_code = cli.Parse(args)) return *exit_code;

  bench::EngineBenchOptions options;
  options.prefetch_calls = cli.Whole("prefetch-calls");
  options.record_calls_per_thread = cli.Whole("record-calls");
  std::vector<std::string> jsons;
  auto report = [&](const std::string& label, const Result<bench::EngineFigures>& figures) {
    if (!figures.ok()) return cli.Fail(figures.status());
    if (cli.json()) {
      jsons.push_back(Json(label, *figures));
    } else {
      PrintText(label, *figures);
    }
    return 0;
  };

  if (cli.Has("deps")) {
    std::string path = cli.Get<std::string>("deps");
    auto graph = GraphFromDependencies(path);
    if (!graph.ok()) return cli.Fail(graph.status());
    ProgressTicker progress(cli.quiet(), "measuring " + path);
    if (int failed = report(path, bench::RunEngineBenchmarksOn(*graph, options))) return failed;
  } else {
    auto sizes = ParseSizes(cli.Get<std::string>("functions"));
    if (!sizes.ok()) return cli.UsageError(sizes.status().message());
    for (uint64_t size : *sizes) {
      options.graph.functions = size;
      options.graph.seed = cli.Whole("seed");
      ProgressTicker progress(cli.quiet(), "measuring " + std::to_string(size) + " functions");
      if (int failed = report("power-law " + std::to_string(size),
                              bench::RunEngineBenchmarks(options))) {
        return failed;
      }
    }
  }
  if (cli.json()) {
    std::printf("{\"results\":[");
    for (size_t i = 0; i < jsons.size(); ++i) std::printf("%s%s", i ? "," : "", jsons[i].c_str());
    std::printf("]}\n");
  }
  return 0;
}

}  // namespace blobgraph::tools
