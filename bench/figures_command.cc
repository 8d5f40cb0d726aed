// blobgraph bench (the blobgraph-bench executable, which `blobgraph bench`
// runs): prefetch latency ours vs the reference algorithm, RecordCall rate,
// warm-start time and hot-graph memory, on synthetic power-law graphs or on
// a given dependency file. It lives with the benchmarks, above the CLI whose
// flag handling it uses, so the CLI never links the benchmark library.
#include <cstdio>
#include <sstream>
#include <unordered_set>

#include "bench/figures_command.h"
#include "bench/lib/engine_benchmarks.h"
#include "blobgraph/dependency_io.h"
#include "tools/command_line.h"
#include "tools/json_report.h"
#include "tools/progress.h"

namespace blobgraph::bench {
namespace {

using tools::CommandLine;
using tools::JsonReport;
using tools::ProgressTicker;
namespace po = boost::program_options;

// A dependency file as a benchmark graph: its functions and static edges.
Result<PowerLawGraph> GraphFromDependencies(const std::string& path) {
  auto loaded = formats::LoadDependencies(path);
  if (!loaded.ok()) return loaded.status();
  PowerLawGraph graph;
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
    auto size = tools::ParseWholeFlag("--functions", item, {1, kMaxBenchFunctions});
    if (!size.ok()) return size.status();
    sizes.push_back(*size);
  }
  if (sizes.empty()) {
    return Status::InvalidInput("--functions '" + list +
                                "': expected a comma-separated list of "
                                "whole numbers from 1 to " +
                                std::to_string(kMaxBenchFunctions));
  }
  return sizes;
}

void PrintText(const std::string& label, const EngineFigures& f) {
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

void WriteTimings(const char* key, const LatencyFigures& t, JsonReport* report) {
  report->Key(key)
      .BeginObject()
      .Field("median_ns", t.median_ns)
      .Field("p99_ns", t.p99_ns)
      .Field("mean_ns", t.mean_ns)
      .Field("results_per_call", t.results_per_call)
      .EndObject();
}

// One graph's figures, an element of "results".
void WriteFigures(const std::string& label, const EngineFigures& f, JsonReport* report) {
  report->BeginObject()
      .Field("graph", label)
      .Field("functions", f.functions)
      .Field("edges", f.edges)
      .Field("import_seconds", f.import_seconds)
      .Key("prefetch")
      .BeginObject()
      .Field("depth", 2)
      .Field("top", 4)
      .Field("min_prob", 0.1);
  WriteTimings("ours", f.prefetch.ours, report);
  WriteTimings("reference", f.prefetch.reference, report);
  report->Field("ratio", f.prefetch.ratio)
      .EndObject()
      .Key("record_calls_per_second")
      .BeginObject()
      .Field("threads_1", f.record_rate_1_thread)
      .Field("threads_2", f.record_rate_2_threads)
      .EndObject()
      .Key("warm_start_seconds")
      .BeginObject()
      .Field("whole", f.open_whole.seconds)
      .Field("hot", f.open_hot.seconds)
      .Field("hot_functions", f.hot_functions)
      .EndObject()
      .Key("hot_graph")
      .BeginObject()
      .Field("bytes", f.open_whole.snapshot.bytes)
      .Field("bytes_per_edge", f.open_whole.bytes_per_edge)
      .Field("functions", f.open_whole.snapshot.functions)
      .Field("edges", f.open_whole.snapshot.edges)
      .EndObject()
      .EndObject();
}

}  // namespace

int RunFigures(const tools::Args& args) {
  CommandLine cli("bench", "bench [--functions N[,N...] | --deps FILE] [--json]",
                  "Measures, in one process, for each graph: prefetch latency (median, p99) at\n"
                  "depth 2, top 4, min probability 0.1 for blobgraph and for a faithful port of\n"
                  "the reference algorithm, with the throughput ratio; the RecordCall rate on 1\n"
                  "and 2 threads; warm-start time (Engine::Open of the whole graph and of a\n"
                  "100k-function hot set); and hot-graph bytes per edge. Graphs are synthetic\n"
                  "power-law graphs (average 8 call sites per function) or a dependency file.\n"
                  "Uses a scratch store in $TMPDIR; --db is not used.");
  cli.flags().add_options()(
      "functions", po::value<std::string>()->default_value("10000,100000,1000000"),
      "synthetic graph sizes, comma separated (each a whole number from 1 to 100000000)")(
      "deps", po::value<std::string>(), "measure this dependency file (text or capnp) instead");
  cli.AddWhole("seed", 1, {}, "graph generator seed");
  cli.AddWhole("prefetch-calls", 200000, {1, kMaxPrefetchCalls}, "timed prefetch calls");
  cli.AddWhole("record-calls", 20000000, {1, kMaxRecordCalls}, "RecordCall calls per thread");
  cli.AllowJson();
  if (auto exit_code = cli.Parse(args)) return *exit_code;

  EngineBenchOptions options;
  options.prefetch_calls = cli.Whole("prefetch-calls");
  options.record_calls_per_thread = cli.Whole("record-calls");
  JsonReport json;
  json.BeginObject().Key("results").BeginArray();
  auto report = [&](const std::string& label, const Result<EngineFigures>& figures) {
    if (!figures.ok()) return cli.Fail(figures.status());
    if (cli.json()) {
      WriteFigures(label, *figures, &json);
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
    if (int failed = report(path, RunEngineBenchmarksOn(*graph, options))) return failed;
  } else {
    auto sizes = ParseSizes(cli.Get<std::string>("functions"));
    if (!sizes.ok()) return cli.UsageError(sizes.status().message());
    for (uint64_t size : *sizes) {
      options.graph.functions = size;
      options.graph.seed = cli.Whole("seed");
      ProgressTicker progress(cli.quiet(), "measuring " + std::to_string(size) + " functions");
      if (int failed = report("power-law " + std::to_string(size), RunEngineBenchmarks(options))) {
        return failed;
      }
    }
  }
  if (cli.json()) json.EndArray().EndObject().Print();
  return 0;
}

}  // namespace blobgraph::bench
