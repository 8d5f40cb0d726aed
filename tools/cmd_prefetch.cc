// blobgraph prefetch: the engine's walk from one function, as a runtime
// would see it on entry to that function.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "tools/client_flags.h"
#include "tools/prefetch_flags.h"
#include "tools/report_fields.h"

namespace blobgraph::tools {

int RunPrefetch(const Args& args) {
  CommandLine cli("prefetch",
                  "prefetch HASH [--depth D] [--top N] [--min-prob P] [--max M] [--json]",
                  "The functions most likely needed soon after entering HASH, most probable\n"
                  "first, each with its path probability and depth, from the engine's hot\n"
                  "snapshot of the store.");
  cli.flags().add_options()("hash", po::value<std::string>()->required(), "the function entered");
  cli.AddPositional("hash", 1);
  AddPrefetchFlags(&cli);
  cli.AllowJson();
  AddClientFlags(cli, /*server_required=*/false);
  if (auto exit_code = cli.Parse(args)) return *exit_code;
  auto options = PrefetchFlags(cli);
  if (!options.ok()) return cli.UsageError(options.status().message());
  auto engine_options = EngineFlags(cli);
  if (!engine_options.ok()) return cli.UsageError(engine_options.status().message());
  auto start = BlobHash::Parse(cli.Get<std::string>("hash"));
  if (!start.ok()) return cli.Fail(start.status());

  std::unique_ptr<GraphStore> local;
  // Sized by what can come back, never by --max alone: a walk returns at
  // most kMaxPrefetchResults, and at most the functions of the graph.
  std::vector<Prediction> predictions;
  size_t count = 0;
  if (cli.Has("server")) {
    // The server's own engine walks its snapshot of the shared store.
    auto client = ConnectOrReport(ClientFlagsFrom(cli), "prefetch");
    if (client == nullptr) return 1;
    auto remote = client->Prefetch(*start, *options);
    if (!remote.ok()) return cli.Fail(remote.status());
    count = std::min<size_t>(remote->size(), options->max_results);
    predictions.assign(remote->begin(), remote->begin() + count);
  } else {
    auto store = cli.OpenStore(/*read_only=*/true, /*create=*/false);
    if (!store.ok()) return cli.Fail(store.status());
    local = std::move(*store);
    auto engine = Engine::Open(local.get(), *engine_options);
    if (!engine.ok()) return cli.Fail(engine.status());
    predictions.resize(PredictionCapacity(*options, (*engine)->Snapshot().functions));
    count = (*engine)->Prefetch(*start, *options, predictions.data(), predictions.size());
  }
  NameLookup names(local.get());
  if (cli.json()) {
    JsonReport report;
    report.BeginObject();
    WriteFunctionFields(*start, names, &report);
    report.Key("settings").BeginObject();
    WriteWalkSettings(*options, &report);
    report.EndObject().Key("predictions").BeginArray();
    for (size_t i = 0; i < count; ++i) {
      report.BeginObject();
      WriteFunctionFields(predictions[i].hash, names, &report);
      report.Field("probability", predictions[i].probability)
          .Field("depth", predictions[i].depth)
          .EndObject();
    }
    report.EndArray().EndObject().Print();
    return 0;
  }
  std::printf("prefetch from %s\n", names.Label(*start).c_str());
  if (count == 0) std::printf("  (nothing above --min-prob %g)\n", options->min_probability);
  for (size_t i = 0; i < count; ++i) {
    std::printf("  %2zu. p=%.4f depth=%u  %s\n", i + 1, predictions[i].probability,
                predictions[i].depth, names.Label(predictions[i].hash).c_str());
  }
  return 0;
}

}  // namespace blobgraph::tools
