// blobgraph stats: what the store holds, and its hottest functions.
#include <algorithm>
#include <cstdio>

#include "tools/client_flags.h"
#include "tools/command_line.h"
#include "tools/report_fields.h"

namespace blobgraph::tools {
namespace {

// Hotness of a function: observed calls into it first, then call sites.
bool Hotter(const NodeRecord& a, const NodeRecord& b) {
  if (a.in_dynamic != b.in_dynamic) return a.in_dynamic > b.in_dynamic;
  if (a.in_static != b.in_static) return a.in_static > b.in_static;
  return a.hash < b.hash;
}

// stats --server: the server's store and its service counters.
int RemoteStats(const CommandLine& cli) {
  auto client = ConnectOrReport(ClientFlagsFrom(cli), "stats");
  if (client == nullptr) return 1;
  auto stats = client->Stats();
  if (!stats.ok()) return cli.Fail(stats.status());
  const StoreStats& store = stats->store;
  if (cli.json()) {
    JsonReport report;
    report.BeginObject().Field("server", cli.Get<std::string>("server"));
    WriteStoreCounts(store, &report);
    report.Field("pushes_applied", stats->pushes_applied)
        .Field("pushes_duplicate", stats->pushes_duplicate)
        .Field("pushes_failed", stats->pushes_failed)
        .Field("edges_applied", stats->edges_applied)
        .Field("connections_open", stats->connections_open)
        .Field("uptime_ms", stats->uptime_ms)
        .EndObject()
        .Print();
    return 0;
  }
  std::printf("server         %s (up %.0f s)\n", cli.Get<std::string>("server").c_str(),
              stats->uptime_ms / 1000.0);
  std::printf("functions      %llu\nedges          %llu\n", (unsigned long long)store.functions,
              (unsigned long long)store.edges);
  std::printf("static total   %llu call sites\ndynamic total  %llu observed calls\n",
              (unsigned long long)store.static_total, (unsigned long long)store.dynamic_total);
  std::printf("profiles       %llu merged\nbytes on disk  %llu\n",
              (unsigned long long)store.profiles, (unsigned long long)store.bytes_on_disk);
  std::printf("pushes         %llu applied, %llu duplicate, %llu failed (%llu edges)\n",
              (unsigned long long)stats->pushes_applied,
              (unsigned long long)stats->pushes_duplicate, (unsigned long long)stats->pushes_failed,
              (unsigned long long)stats->edges_applied);
  std::printf("connections    %u open\n", stats->connections_open);
  return 0;
}

}  // namespace

int RunStats(const Args& args) {
  CommandLine cli("stats", "stats [--top N] [--json]",
                  "Functions, edges, total static and dynamic counts, bytes on disk and the\n"
                  "hottest functions (most observed calls into them, then most call sites).");
  cli.AddWhole("top", 10, {}, "hottest functions to list");
  cli.AllowJson();
  AddClientFlags(cli, /*server_required=*/false);
  if (auto exit_code = cli.Parse(args)) return *exit_code;
  if (cli.Has("server")) return RemoteStats(cli);

  auto store = cli.OpenStore(/*read_only=*/true, /*create=*/false);
  if (!store.ok()) return cli.Fail(store.status());
  auto stats = (*store)->Stats();
  if (!stats.ok()) return cli.Fail(stats.status());

  // Sized by the store, not the flag: --top 2^64-1 lists every function.
  uint64_t top = std::min<uint64_t>(cli.Whole("top"), stats->functions);
  std::vector<NodeRecord> hottest;
  Status scan = (*store)->ForEachNode([&](const NodeRecord& node) {
    hottest.push_back(node);
    if (hottest.size() > 4 * top + 64) {  // keep memory bounded on big stores
      std::nth_element(hottest.begin(), hottest.begin() + top, hottest.end(), Hotter);
      hottest.resize(top);
    }
    return Status::Ok();
  });
  if (!scan.ok()) return cli.Fail(scan);
  std::sort(hottest.begin(), hottest.end(), Hotter);
  if (hottest.size() > top) hottest.resize(top);

  const GraphStore& graph = **store;
  if (cli.json()) {
    JsonReport report;
    report.BeginObject().Field("db", cli.DbPath());
    WriteStoreCounts(*stats, &report);
    report.Field("profiles_retracted", stats->profiles_retracted)
        .Field("unsent_edges", stats->unsent_edges)
        .Field("outgoing_edges", stats->outgoing_edges)
        .Field("pulled_edges", stats->pulled_edges)
        .Key("feedback")
        .BeginObject();
    WriteFeedbackFields(stats->feedback, &report);
    report.EndObject().Key("hottest").BeginArray();
    NameLookup names(&graph);
    for (const NodeRecord& node : hottest) {
      report.BeginObject();
      WriteFunctionFields(node.hash, names, &report);
      WriteNodeCounts(node, &report);
      report.EndObject();
    }
    report.EndArray().EndObject().Print();
    return 0;
  }
  std::printf("store          %s\n", cli.DbPath().c_str());
  std::printf("functions      %llu\n", (unsigned long long)stats->functions);
  std::printf("edges          %llu\n", (unsigned long long)stats->edges);
  std::printf("static total   %llu call sites\n", (unsigned long long)stats->static_total);
  std::printf("dynamic total  %llu observed calls\n", (unsigned long long)stats->dynamic_total);
  std::printf("recorded runs  %llu\n", (unsigned long long)stats->runs);
  std::printf("profiles       %llu merged (%llu of them retracted)\n",
              (unsigned long long)stats->profiles, (unsigned long long)stats->profiles_retracted);
  std::printf("unsent edges   %llu (own observations not yet exported or pushed)\n",
              (unsigned long long)stats->unsent_edges);
  std::printf("outgoing edges %llu (sealed for a push not yet acknowledged)\n",
              (unsigned long long)stats->outgoing_edges);
  std::printf("pulled edges   %llu (what the last pull brought)\n",
              (unsigned long long)stats->pulled_edges);
  const FeedbackStats& f = stats->feedback;
  std::printf(
      "prefetch       %llu requests, %llu issued, %llu hits, %llu wasted, %llu stalls "
      "(lifetime, all engines)\n",
      (unsigned long long)f.requests, (unsigned long long)f.issued, (unsigned long long)f.hits,
      (unsigned long long)f.wasted, (unsigned long long)f.stalls);
  std::printf("bytes on disk  %llu", (unsigned long long)stats->bytes_on_disk);
  if (stats->edges) std::printf(" (%.1f per edge)", double(stats->bytes_on_disk) / stats->edges);
  std::printf("\n");
  if (!hottest.empty()) {
    std::printf("\nhottest functions (calls in, call sites in, callers):\n");
    for (const NodeRecord& node : hottest) {
      std::printf("  %10llu %8llu %6llu  %s\n", (unsigned long long)node.in_dynamic,
                  (unsigned long long)node.in_static, (unsigned long long)node.callers,
                  Label(graph, node.hash, /*full_hex=*/false).c_str());
    }
  }
  return 0;
}

}  // namespace blobgraph::tools
