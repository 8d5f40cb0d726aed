// blobgraph export: the whole graph as a profile another machine can merge.
#include <algorithm>
#include <cstdio>

#include "formats/profile_io.h"
#include "tools/command_line.h"
#include "tools/progress.h"

namespace blobgraph::tools {
namespace {

// Writes names, then functions that only exist as declarations, then edges;
// `import` of the result reproduces every count.
Status ExportProfile(const GraphStore& store, formats::ProfileWriter* writer, uint64_t min_count,
                     ProgressTicker* progress, uint64_t* edges_written) {
  BLOBGRAPH_RETURN_IF_ERROR(writer->Begin(ProfileInfo::NewForThisHost()));
  std::vector<BlobHash> named;  // in hash order, as the store visits them
  BLOBGRAPH_RETURN_IF_ERROR(store.ForEachName([&](const BlobHash& hash, std::string_view name) {
    named.push_back(hash);
    return writer->AddFunction(hash, std::string(name));
  }));
  BLOBGRAPH_RETURN_IF_ERROR(store.ForEachNode([&](const NodeRecord& node) {
    bool isolated = node.callers == 0 && node.callees == 0;
    if (!isolated || std::binary_search(named.begin(), named.end(), node.hash)) return Status::Ok();
    return writer->AddFunction(node.hash, std::nullopt);
  }));
  uint64_t callers = 0;
  BLOBGRAPH_RETURN_IF_ERROR(store.ForEachCaller(
      [&](const BlobHash& caller, std::span<const CalleeInfo> callees) {
        // static + dynamic < min_count, without the sum (it may pass 2^64).
        auto below = [min_count](const CalleeInfo& c) {
          return c.dynamic_count < min_count && c.static_count < min_count - c.dynamic_count;
        };
        // A caller's static list is set once by whoever stores it first
        // (GraphStore::Apply), so a file never carries part of one: when
        // --min-count leaves out some of a caller's edges, the rest go
        // without their static counts.
        bool whole_row = std::none_of(callees.begin(), callees.end(), below);
        for (const CalleeInfo& callee : callees) {
          if (below(callee)) continue;
          uint64_t static_count = whole_row ? callee.static_count : 0;
          if (static_count == 0 && callee.dynamic_count == 0) continue;
          BLOBGRAPH_RETURN_IF_ERROR(writer->AddEdge(
              EdgeDelta{caller, callee.callee, static_count, callee.dynamic_count}));
          ++*edges_written;
        }
        progress->SetProgress(++callers, 0);
        return Status::Ok();
      }));
  return writer->Finish();
}

}  // namespace

int RunExport(const Args& args) {
  CommandLine cli("export", "export --format capnp|text|json [-o FILE] [--min-count N]",
                  "Writes the whole graph as a profile: every edge with its static and dynamic\n"
                  "counts, every function's name, and a new profile identity (random id, this\n"
                  "host, now) so that merging it twice is refused. --min-count leaves out edges\n"
                  "whose static + dynamic count is below N; a caller that loses some edges keeps\n"
                  "only the observed calls of the others (call sites go as whole lists). A file\n"
                  "is written whole or not at all (a temporary beside it, renamed into place).");
  cli.flags().add_options()
      ("format", po::value<std::string>()->default_value("capnp"), "capnp|text|json")
      ("output,o", po::value<std::string>()->default_value("-"), "output file (- = stdout)");
  cli.AddWhole("min-count", 0, {}, "leave out edges below N");
  if (auto exit_code = cli.Parse(args)) return *exit_code;
  auto format = formats::ParseProfileFormat(cli.Get<std::string>("format"));
  if (!format.ok() || *format == formats::ProfileFormat::kAuto) {
    return cli.UsageError("--format '" + cli.Get<std::string>("format") +
                          "' is not one of capnp, text, json");
  }
  auto store = cli.OpenStore(/*read_only=*/true, /*create=*/false);
  if (!store.ok()) return cli.Fail(store.status());
  std::string output = cli.Get<std::string>("output");
  auto writer = formats::OpenProfileWriter(output, *format);
  if (!writer.ok()) return cli.Fail(writer.status());
  uint64_t edges = 0;
  {
    ProgressTicker progress(cli.quiet(), "exporting");
    Status status = ExportProfile(**store, writer->get(), cli.Whole("min-count"),
                                  &progress, &edges);
    if (!status.ok()) return cli.Fail(status);
  }
  if (output != "-") std::printf("exported %llu edges to %s\n", (unsigned long long)edges, output.c_str());
  return 0;
}

}  // namespace blobgraph::tools
