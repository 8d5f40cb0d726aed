// blobgraph import: add edges from dependency sets (text or Cap'n Proto),
// a Shape blob store, or an exported profile.
#include <cstdio>

#include "blobgraph/dependency_io.h"
#include "blobgraph/profile_io.h"
#include "formats/names_tsv.h"
#include "formats/open_input.h"
#include "formats/shape_blob.h"
#include "tools/command_line.h"
#include "tools/profile_input.h"
#include "tools/progress.h"

namespace blobgraph::tools {
namespace {

struct Loaded {
  GraphUpdate update;
  std::string what;  // for the summary line
};

Result<Loaded> LoadShapeStoreSource(const CommandLine& cli, const std::string& root,
                                    formats::CountKind kind) {
  formats::ShapeStoreOptions options;
  options.strict = cli.Has("strict");
  auto loaded = formats::LoadShapeStore(root, options);
  if (!loaded.ok()) return loaded.status();
  for (const formats::ShapeProblem& problem : loaded->problems) {
    std::fprintf(stderr, "blobgraph import: %s/%s: %s (skipped)\n", root.c_str(),
                 problem.path.c_str(), problem.reason.c_str());
  }
  for (const formats::DanglingDependency& dangling : loaded->dangling) {
    std::fprintf(stderr, "blobgraph import: %s: dependency %s has no blob (dangling; imported)\n",
                 dangling.caller.ToHex().c_str(), dangling.callee.ToHex().c_str());
  }
  if (kind == formats::CountKind::kDynamic) {
    for (EdgeDelta& edge : loaded->update.edges) std::swap(edge.static_count, edge.dynamic_count);
  }
  Loaded result{std::move(loaded->update), ""};
  result.what = std::to_string(loaded->blobs) + " blobs (" + std::to_string(loaded->call_sites) +
                " call sites, " + std::to_string(loaded->problems.size()) + " malformed skipped, " +
                std::to_string(loaded->dangling.size()) + " dangling dependencies)";
  return result;
}

Result<Loaded> LoadDependencySource(schema::InputFile& input, formats::DependencyFormat format,
                                    formats::CountKind kind) {
  auto loaded = formats::LoadDependencies(input, format, kind);
  if (!loaded.ok()) return loaded.status();
  Loaded result{std::move(loaded->update), ""};
  result.what = std::to_string(loaded->call_sites) +
                (kind == formats::CountKind::kStatic ? " call sites" : " observed calls");
  return result;
}

Result<Loaded> LoadProfileSource(schema::InputFile& input, formats::ProfileFormat format) {
  auto profile = formats::ReadProfile(input, format);
  if (!profile.ok()) return profile.status();
  Loaded result{std::move(*profile), ""};
  result.what = "profile " + result.update.profile->IdHex() + " (" +
                std::to_string(result.update.edges.size()) + " edges)";
  return result;
}

Result<Loaded> LoadSource(const CommandLine& cli, formats::CountKind kind) {
  if (cli.Has("shape-store")) {
    return LoadShapeStoreSource(cli, cli.Get<std::string>("shape-store"), kind);
  }
  const char* flag = cli.Has("json") ? "json" : cli.Has("text") ? "text" : "capnp";
  // Opened once: detection peeks, the reader then reads it from the start,
  // so "-", pipes and gzip work as a plain file does.
  auto input = schema::InputFile::Open(cli.Get<std::string>(flag));
  if (!input.ok()) return input.status();
  if (cli.Has("json")) return LoadProfileSource(**input, formats::ProfileFormat::kJson);
  bool text = cli.Has("text");
  auto content = text ? DetectTextContent(**input) : DetectCapnpContent(**input);
  if (!content.ok()) return content.status();
  if (*content == FileContent::kProfile) {
    return LoadProfileSource(**input,
                             text ? formats::ProfileFormat::kText : formats::ProfileFormat::kCapnp);
  }
  return LoadDependencySource(
      **input, text ? formats::DependencyFormat::kText : formats::DependencyFormat::kCapnp, kind);
}

}  // namespace

int RunImport(const Args& args) {
  CommandLine cli("import",
                  "import [--kind static|dynamic] (--text FILE | --capnp FILE | --json FILE | "
                  "--shape-store DIR) [--names TSV] [--strict] [--force]",
                  "Adds edges to the store, atomically (a failed import changes nothing).\n"
                  "  --text FILE         dependency text: 'CALLER CALLEE [COUNT]' per call site,\n"
                  "                      or a text profile written by blobgraph export\n"
                  "  --capnp FILE        a Cap'n Proto dependency set or profile stream\n"
                  "  --json FILE         a JSON profile written by blobgraph export\n"
                  "  --shape-store DIR   a Shape blob store (ROOT/ab/<62 hex>.blob); malformed\n"
                  "                      blobs are reported and skipped (--strict: fatal)\n"
                  "--kind static adds call-site counts (default); dynamic adds observed calls.\n"
                  "A profile keeps its own static and dynamic counts, and its id is recorded:\n"
                  "importing the same profile twice is refused unless --force.\n"
                  "Any FILE or TSV may be '-' (stdin) or a pipe, and gzip content (recognised by\n"
                  "its bytes, not its name) is decompressed.");
  cli.flags().add_options()("kind", po::value<std::string>()->default_value("static"),
                            "static|dynamic")("text", po::value<std::string>(),
                                              "dependency text or text profile")(
      "capnp", po::value<std::string>(), "Cap'n Proto dependency set or profile")(
      "json", po::value<std::string>(), "JSON profile")("shape-store", po::value<std::string>(),
                                                        "Shape blob store directory")(
      "names", po::value<std::string>(), "names to attach: 'HEX<TAB>NAME' per line")(
      "strict", "a malformed Shape blob fails the import")(
      "force", "import a profile even if its id was merged before");
  if (auto exit_code = cli.Parse(args)) return *exit_code;

  int sources = cli.Has("text") + cli.Has("capnp") + cli.Has("json") + cli.Has("shape-store");
  if (sources != 1 && !(sources == 0 && cli.Has("names"))) {
    return cli.UsageError("give exactly one of --text, --capnp, --json, --shape-store");
  }
  std::string kind_name = cli.Get<std::string>("kind");
  if (kind_name != "static" && kind_name != "dynamic") {
    return cli.UsageError("--kind '" + kind_name + "' is not static or dynamic");
  }
  auto kind = kind_name == "static" ? formats::CountKind::kStatic : formats::CountKind::kDynamic;

  ProgressTicker progress(cli.quiet(), "reading");
  Loaded loaded;
  if (sources == 1) {
    auto source = LoadSource(cli, kind);
    if (!source.ok()) return cli.Fail(source.status());
    loaded = std::move(*source);
  }
  if (cli.Has("names")) {
    auto names = formats::ReadNamesTsv(cli.Get<std::string>("names"));
    if (!names.ok()) return cli.Fail(names.status());
    loaded.what += (loaded.what.empty() ? "" : ", ") + std::to_string(names->size()) + " names";
    loaded.update.names.insert(loaded.update.names.end(), names->begin(), names->end());
  }

  progress.SetPhase("writing to " + cli.DbPath());
  auto store = cli.OpenStore(/*read_only=*/false);
  if (!store.ok()) return cli.Fail(store.status());
  ApplyOptions options;
  options.force = cli.Has("force");
  Status applied = (*store)->Apply(loaded.update, options);
  if (!applied.ok()) return cli.Fail(applied);
  std::printf("imported %s: %zu edge increments, %zu functions declared\n", loaded.what.c_str(),
              loaded.update.edges.size(), loaded.update.functions.size());
  return 0;
}

}  // namespace blobgraph::tools
