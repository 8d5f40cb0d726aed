// blobgraph callees: a function's callees, most probable first.
#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "tools/client_flags.h"
#include "tools/command_line.h"
#include "tools/report_fields.h"

namespace blobgraph::tools {

int RunCallees(const Args& args) {
  CommandLine cli("callees", "callees HASH [--top N] [--json]",
                  "A function's callees with their static counts (call sites), dynamic counts\n"
                  "(observed calls) and probability p(callee | caller), most probable first.");
  cli.flags().add_options()("hash", po::value<std::string>()->required(),
                            "the caller's hash (64 hex digits)");
  cli.AddWhole("top", 20, {}, "callees to list (0 = all)");
  cli.AddPositional("hash", 1);
  cli.AllowJson();
  AddClientFlags(cli, /*server_required=*/false);
  if (auto exit_code = cli.Parse(args)) return *exit_code;

  auto caller = BlobHash::Parse(cli.Get<std::string>("hash"));
  if (!caller.ok()) return cli.Fail(caller.status());
  uint64_t top = cli.Whole("top");
  std::unique_ptr<GraphStore> local;
  std::unique_ptr<server::ProfileClient> client;
  Result<std::vector<CalleeInfo>> callees = std::vector<CalleeInfo>{};
  if (cli.Has("server")) {
    client = ConnectOrReport(ClientFlagsFrom(cli), "callees");
    if (client == nullptr) return 1;
    callees = client->Callees(*caller, static_cast<uint32_t>(std::min<uint64_t>(top, UINT32_MAX)));
  } else {
    auto store = cli.OpenStore(/*read_only=*/true, /*create=*/false);
    if (!store.ok()) return cli.Fail(store.status());
    local = std::move(*store);
    callees = local->Callees(*caller);
  }
  if (!callees.ok()) return cli.Fail(callees.status());
  if (top != 0 && callees->size() > top) callees->resize(top);
  NameLookup names(local.get());
  if (cli.json()) {
    JsonReport report;
    report.BeginObject().Field("hash", *caller).Field("name", names.Name(*caller));
    report.Key("callees").BeginArray();
    for (const CalleeInfo& callee : *callees) {
      report.BeginObject();
      WriteCalleeFields(callee, names, &report);
      report.EndObject();
    }
    report.EndArray().EndObject().Print();
    return 0;
  }
  std::printf("%s\n", names.Label(*caller).c_str());
  if (callees->empty()) std::printf("  (no callees)\n");
  for (const CalleeInfo& callee : *callees) {
    std::printf("  p=%.4f  static=%-6llu dynamic=%-10llu %s\n", callee.probability,
                (unsigned long long)callee.static_count, (unsigned long long)callee.dynamic_count,
                names.Label(callee.callee).c_str());
  }
  return 0;
}

}  // namespace blobgraph::tools
