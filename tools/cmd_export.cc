// blobgraph export: this store's own observations not yet handed over (the
// unsent layer, storage/layers.h), or with --all the whole graph, as a
// profile another machine can merge.
#include <algorithm>
#include <cstdio>

#include "blobgraph/profile_export.h"
#include "blobgraph/profile_io.h"
#include "tools/command_line.h"
#include "tools/progress.h"

namespace blobgraph::tools {

int RunExport(const Args& args) {
  CommandLine cli("export", "export --format capnp|text|json [-o FILE] [--all] [--min-count N]",
                  "Writes what this store observed itself (recorded runs, engine flushes, imports\n"
                  "of dependency lists and blob stores) and has not exported or pushed before:\n"
                  "edges with their counts, declared functions, names, load statistics. Once the\n"
                  "file is complete (renamed into place and synced; stdout: its last byte\n"
                  "written) those observations count as sent, so the next export carries only\n"
                  "newer ones; what the store pulled or merged is never exported as its own.\n"
                  "--all writes the whole graph instead (every edge, name and load statistic)\n"
                  "and marks nothing sent. Each file gets a new profile identity (random id,\n"
                  "this host, now) so that merging it twice is refused. --min-count leaves out\n"
                  "edges whose static + dynamic count is below N (they stay unsent); a caller\n"
                  "that loses some edges keeps only the observed calls of the others (call\n"
                  "sites go as whole lists). A file is written whole or not at all (a temporary\n"
                  "beside it, renamed into place).");
  cli.flags().add_options()("format", po::value<std::string>()->default_value("capnp"),
                            "capnp|text|json")(
      "output,o", po::value<std::string>()->default_value("-"), "output file (- = stdout)")(
      "all", "the whole graph, not only this store's unsent observations");
  cli.AddWhole("min-count", 0, {}, "leave out edges below N");
  if (auto exit_code = cli.Parse(args)) return *exit_code;
  auto format = formats::ParseProfileFormat(cli.Get<std::string>("format"));
  if (!format.ok() || *format == formats::ProfileFormat::kAuto) {
    return cli.UsageError("--format '" + cli.Get<std::string>("format") +
                          "' is not one of capnp, text, json");
  }
  bool all = cli.Has("all");
  // Marking observations sent writes the store: the writer lock is needed.
  auto store = cli.OpenStore(/*read_only=*/all, /*create=*/false);
  if (!store.ok()) return cli.Fail(store.status());
  std::string output = cli.Get<std::string>("output");
  uint64_t min_count = cli.Whole("min-count");
  GraphUpdate unsent;
  if (!all) {
    auto read = (*store)->Unsent();
    if (!read.ok()) return cli.Fail(read.status());
    unsent = std::move(read).value();
  }
  auto writer = formats::OpenProfileWriter(output, *format);
  if (!writer.ok()) return cli.Fail(writer.status());
  uint64_t edges = 0;
  GraphUpdate written;
  {
    ProgressTicker progress(cli.quiet(), "exporting");
    Status status =
        all ? formats::WriteWholeGraph(
                  **store, writer->get(), min_count,
                  [&progress](uint64_t callers) { progress.SetProgress(callers, 0); }, &edges)
            : formats::WriteUnsentProfile(unsent, writer->get(), min_count, &written);
    if (!status.ok()) return cli.Fail(status);
  }
  if (!all) {
    edges = written.edges.size();
    // Only now, with the file complete, do the observations count as sent.
    Status marked = (*store)->MarkSent(written);
    if (!marked.ok()) {
      return cli.Fail((output == "-" ? std::string("stdout") : output) +
                      " holds the observations, but the store still counts them as unsent (a "
                      "later export or push sends them again): " +
                      marked.ToString());
    }
  }
  if (output != "-") {
    std::printf("exported %llu edges to %s (%s)\n", (unsigned long long)edges, output.c_str(),
                all ? "the whole graph" : "this store's unsent observations, now marked sent");
  }
  return 0;
}

}  // namespace blobgraph::tools
