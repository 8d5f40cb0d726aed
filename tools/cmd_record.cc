// blobgraph record: a call trace's observed calls become dynamic counts, and
// its load order (first entry of each function) a recorded run for the
// warm-start set.
#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "tools/command_line.h"
#include "tools/trace_input.h"

namespace blobgraph::tools {
namespace {

struct EdgeKey {
  BlobHash caller;
  BlobHash callee;
  friend bool operator==(const EdgeKey&, const EdgeKey&) = default;
};
struct EdgeKeyHash {
  size_t operator()(const EdgeKey& key) const noexcept {
    return key.caller.Fingerprint() * 0x9e3779b97f4a7c15ull ^ key.callee.Fingerprint();
  }
};

}  // namespace

int RunRecord(const Args& args) {
  CommandLine cli("record", "record --trace FILE [--format auto|text|binary|capnp]",
                  "Adds a recorded run to the store: each (caller, callee) event counts one\n"
                  "observed call (root calls, with a zero caller, are not edges), and the order\n"
                  "in which functions were first entered is kept for the warm-start set.\n"
                  "All of it is written atomically. FILE may be '-' (stdin) or a pipe, and\n"
                  "gzip-compressed content is recognised and decompressed.");
  cli.flags().add_options()("trace", po::value<std::string>()->required(), "the trace file")(
      "format", po::value<std::string>()->default_value("auto"), "auto|text|binary|capnp");
  if (auto exit_code = cli.Parse(args)) return *exit_code;
  auto format = ParseTraceFormatFlag(cli.Get<std::string>("format"));
  if (!format.ok()) return cli.UsageError(format.status().message());
  const std::string path = cli.Get<std::string>("trace");

  std::unordered_map<EdgeKey, uint64_t, EdgeKeyHash> calls;
  std::unordered_set<BlobHash> loaded;
  std::vector<BlobHash> load_order;
  uint64_t events = 0;
  {
    ProgressTicker progress(cli.quiet(), "reading " + path);
    Status read =
        VisitTrace(path, *format, &progress, [&](std::span<const formats::CallEvent> chunk) {
          for (const formats::CallEvent& event : chunk) {
            if (!event.caller.IsZero()) ++calls[EdgeKey{event.caller, event.callee}];
            if (loaded.insert(event.callee).second) load_order.push_back(event.callee);
          }
          events += chunk.size();
          return Status::Ok();
        });
    if (!read.ok()) return cli.Fail(read);
  }

  GraphUpdate update;
  update.edges.reserve(calls.size());
  for (const auto& [key, count] : calls) update.edges.push_back({key.caller, key.callee, 0, count});
  calls.clear();
  update.functions = load_order;
  if (!load_order.empty()) update.runs.push_back(std::move(load_order));

  auto store = cli.OpenStore(/*read_only=*/false);
  if (!store.ok()) return cli.Fail(store.status());
  ProgressTicker progress(cli.quiet(), "writing to " + cli.DbPath());
  Status applied = (*store)->Apply(update);
  if (!applied.ok()) return cli.Fail(applied);
  std::printf("recorded %s: %llu events, %zu distinct calls, %zu functions loaded\n", path.c_str(),
              (unsigned long long)events, update.edges.size(), update.functions.size());
  return 0;
}

}  // namespace blobgraph::tools
