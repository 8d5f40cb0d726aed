// blobgraph show: a function's neighbourhood as a readable tree, or as
// Graphviz (--dot) with edges labelled by probability and counts.
#include <cstdio>
#include <set>
#include <string>

#include "blobgraph/engine.h"
#include "core/quote.h"
#include "tools/command_line.h"
#include "tools/report_fields.h"

namespace blobgraph::tools {
namespace {

struct ShowSettings {
  uint32_t depth;
  size_t top;
};

Status PrintTree(const GraphStore& store, const BlobHash& caller, const ShowSettings& settings,
                 uint32_t level, const std::string& indent, std::set<BlobHash>* on_path) {
  if (level >= settings.depth) return Status::Ok();
  auto callees = store.Callees(caller);
  if (!callees.ok()) return callees.status();
  size_t shown = std::min(settings.top, callees->size());
  for (size_t i = 0; i < shown; ++i) {
    const CalleeInfo& callee = (*callees)[i];
    bool last = i + 1 == shown && shown == callees->size();
    bool recursive = on_path->count(callee.callee) > 0;
    std::printf("%s%s p=%.3f s=%llu d=%llu  %s%s\n", indent.c_str(), last ? "`--" : "|--",
                callee.probability, (unsigned long long)callee.static_count,
                (unsigned long long)callee.dynamic_count,
                Label(store, callee.callee, false).c_str(), recursive ? "  (recursion)" : "");
    if (recursive) continue;
    on_path->insert(callee.callee);
    BLOBGRAPH_RETURN_IF_ERROR(PrintTree(store, callee.callee, settings, level + 1,
                                        indent + (last ? "    " : "|   "), on_path));
    on_path->erase(callee.callee);
  }
  if (shown < callees->size()) {
    std::printf("%s`-- ... %zu more\n", indent.c_str(), callees->size() - shown);
  }
  return Status::Ok();
}

// The members "callees" and "more_callees" of the open object: `caller`'s
// callees, most probable first, each expanded the way PrintTree does.
Status WriteTree(const GraphStore& store, const BlobHash& caller, const ShowSettings& settings,
                 uint32_t level, std::set<BlobHash>* on_path, JsonReport* report) {
  auto callees = store.Callees(caller);
  if (!callees.ok()) return callees.status();
  NameLookup names(&store);
  size_t shown = std::min(settings.top, callees->size());
  report->Key("callees").BeginArray();
  for (size_t i = 0; i < shown; ++i) {
    const CalleeInfo& callee = (*callees)[i];
    bool recursive = on_path->count(callee.callee) > 0;
    report->BeginObject();
    WriteCalleeFields(callee, names, report);
    report->Field("depth", level + 1).Field("recursion", recursive);
    if (!recursive && level + 1 < settings.depth) {
      on_path->insert(callee.callee);
      BLOBGRAPH_RETURN_IF_ERROR(
          WriteTree(store, callee.callee, settings, level + 1, on_path, report));
      on_path->erase(callee.callee);
    }
    report->EndObject();
  }
  report->EndArray().Field("more_callees", callees->size() - shown);
  return Status::Ok();
}

Status PrintJson(const GraphStore& store, const BlobHash& start, const NodeRecord& record,
                 const ShowSettings& settings) {
  JsonReport report;
  report.BeginObject();
  WriteFunctionFields(start, NameLookup(&store), &report);
  WriteNodeCounts(record, &report);
  report.Key("settings").BeginObject().Field("depth", settings.depth).Field("top", settings.top);
  report.EndObject();
  if (settings.depth > 0) {
    std::set<BlobHash> on_path = {start};
    BLOBGRAPH_RETURN_IF_ERROR(WriteTree(store, start, settings, 0, &on_path, &report));
  }
  report.EndObject().Print();
  return Status::Ok();
}

std::string DotLabel(const GraphStore& store, const BlobHash& hash) {
  auto name = store.Name(hash);
  std::string label = hash.ShortHex(12);
  if (name.ok() && name->has_value()) label += "\\n" + EscapeForTerminal(**name);
  std::string escaped;
  for (char c : label) {
    if (c == '"') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

Status PrintDot(const GraphStore& store, const BlobHash& start, const ShowSettings& settings) {
  std::printf("digraph blobgraph {\n  node [shape=box, fontname=\"monospace\"];\n");
  std::set<BlobHash> expanded;
  std::set<BlobHash> declared;
  std::vector<std::pair<BlobHash, uint32_t>> frontier = {{start, 0}};
  auto declare = [&](const BlobHash& hash) {
    if (declared.insert(hash).second) {
      std::printf("  \"%s\" [label=\"%s\"%s];\n", hash.ToHex().c_str(),
                  DotLabel(store, hash).c_str(), hash == start ? ", style=bold" : "");
    }
  };
  declare(start);
  while (!frontier.empty()) {
    auto [caller, level] = frontier.back();
    frontier.pop_back();
    if (level >= settings.depth || !expanded.insert(caller).second) continue;
    auto callees = store.Callees(caller);
    if (!callees.ok()) return callees.status();
    for (size_t i = 0; i < std::min(settings.top, callees->size()); ++i) {
      const CalleeInfo& callee = (*callees)[i];
      declare(callee.callee);
      std::printf("  \"%s\" -> \"%s\" [label=\"%.3f (s=%llu d=%llu)\"];\n", caller.ToHex().c_str(),
                  callee.callee.ToHex().c_str(), callee.probability,
                  (unsigned long long)callee.static_count,
                  (unsigned long long)callee.dynamic_count);
      frontier.push_back({callee.callee, level + 1});
    }
  }
  std::printf("}\n");
  return Status::Ok();
}

}  // namespace

int RunShow(const Args& args) {
  CommandLine cli("show", "show HASH [--depth D] [--top N] [--dot | --json]",
                  "A function's neighbourhood: its callees, their callees, ... down to --depth,\n"
                  "each with p(callee | caller), static (s) and dynamic (d) counts. --dot prints\n"
                  "Graphviz instead (blobgraph show HASH --dot | dot -Tpng -o graph.png), --json\n"
                  "the same tree as one JSON document.");
  cli.flags().add_options()("hash", po::value<std::string>()->required(), "the function's hash")(
      "dot", "print Graphviz dot instead of a tree");
  cli.AddWhole("depth", 2, {0, kMaxPrefetchDepth}, "levels of callees to show");
  cli.AddWhole("top", 8, {}, "callees shown per function");
  cli.AddPositional("hash", 1);
  cli.AllowJson();
  if (auto exit_code = cli.Parse(args)) return *exit_code;
  if (cli.Has("dot") && cli.json()) return cli.UsageError("give at most one of --dot, --json");

  auto start = BlobHash::Parse(cli.Get<std::string>("hash"));
  if (!start.ok()) return cli.Fail(start.status());
  auto store = cli.OpenStore(/*read_only=*/true, /*create=*/false);
  if (!store.ok()) return cli.Fail(store.status());
  ShowSettings settings{static_cast<uint32_t>(cli.Whole("depth")), cli.Whole("top")};
  if (cli.Has("dot")) {
    Status status = PrintDot(**store, *start, settings);
    return status.ok() ? 0 : cli.Fail(status);
  }
  auto node = (*store)->Node(*start);
  if (!node.ok()) return cli.Fail(node.status());
  if (!node->has_value()) return cli.Fail(start->ToHex() + ": function not in the store");
  const NodeRecord& record = **node;
  if (cli.json()) {
    Status status = PrintJson(**store, *start, record, settings);
    return status.ok() ? 0 : cli.Fail(status);
  }
  std::printf(
      "%s\n  calls out: %llu sites, %llu observed; calls in: %llu sites, %llu observed, "
      "%llu callers\n",
      Label(**store, *start).c_str(), (unsigned long long)record.out_static,
      (unsigned long long)record.out_dynamic, (unsigned long long)record.in_static,
      (unsigned long long)record.in_dynamic, (unsigned long long)record.callers);
  std::set<BlobHash> on_path = {*start};
  Status status = PrintTree(**store, *start, settings, 0, "  ", &on_path);
  return status.ok() ? 0 : cli.Fail(status);
}

}  // namespace blobgraph::tools
