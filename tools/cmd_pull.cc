// blobgraph pull: the server's merged graph (or its hot part) into a profile
// file or the local store.
#include <cstdio>

#include "blobgraph/profile_io.h"
#include "tools/client_flags.h"

namespace blobgraph::tools {

int RunPull(const Args& args) {
  CommandLine cli(
      "pull", "pull --server ADDR [-o FILE] [--max-functions N] [--max-bytes N] [--min-calls N]",
      "Fetches the merged graph from the server, or with a limit only its hot part\n"
      "(functions with the most observed calls). With -o writes a profile (a new id;\n"
      "--format capnp|text|json); without, into the local --db, where it replaces\n"
      "what the previous pull brought (pulling again refreshes, never adds twice;\n"
      "call sites stay). Pulled counts are never exported or pushed as this store's\n"
      "own observations.");
  cli.flags().add_options()("output,o", po::value<std::string>(),
                            "profile file to write ('-' = stdout)")(
      "format", po::value<std::string>()->default_value("capnp"), "capnp, text or json");
  cli.AddWhole("max-functions", 0, {}, "hottest functions to pull (0 = all)");
  cli.AddWhole("max-bytes", 0, {}, "wire-size budget (0 = none)");
  cli.AddWhole("min-calls", 0, {}, "skip functions with fewer observed calls");
  AddClientFlags(cli, /*server_required=*/true);
  if (auto exit_code = cli.Parse(args)) return *exit_code;
  auto client = ConnectOrReport(ClientFlagsFrom(cli), "pull");
  if (!client) return 1;
  server::PullOptions options;
  options.max_functions = cli.Whole("max-functions");
  options.max_bytes = cli.Whole("max-bytes");
  options.min_calls = cli.Whole("min-calls");
  auto pulled = client->Pull(options);
  if (!pulled.ok()) return cli.Fail(pulled.status());

  if (cli.Has("output")) {
    auto format = formats::ParseProfileFormat(cli.Get<std::string>("format"));
    if (!format.ok()) return cli.Fail(format.status());
    auto writer = formats::OpenProfileWriter(cli.Get<std::string>("output"), *format);
    if (!writer.ok()) return cli.Fail(writer.status());
    // A new identity: the file is this pull's copy of the server's graph.
    GraphUpdate profile = *pulled;
    profile.profile = ProfileInfo::NewForThisHost();
    Status status = formats::WriteProfile(**writer, profile);
    if (!status.ok()) return cli.Fail(status);
  } else {
    auto store = cli.OpenStore(/*read_only=*/false);
    if (!store.ok()) return cli.Fail(store.status());
    pulled->source = UpdateOrigin::kPulled;  // replaces the previous pull
    if (Status applied = (*store)->Apply(*pulled); !applied.ok()) return cli.Fail(applied);
  }
  if (!cli.quiet() && !(cli.Has("output") && cli.Get<std::string>("output") == "-")) {
    std::printf("pulled %zu edges, %zu names, %zu declared functions from %s\n",
                pulled->edges.size(), pulled->names.size(), pulled->functions.size(),
                cli.Get<std::string>("server").c_str());
  }
  return 0;
}

}  // namespace blobgraph::tools
