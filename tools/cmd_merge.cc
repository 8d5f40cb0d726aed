// blobgraph merge: add profiles exported elsewhere (a build farm's machines).
#include <cstdio>

#include "blobgraph/profile_io.h"
#include "core/quote.h"
#include "tools/command_line.h"

namespace blobgraph::tools {

int RunMerge(const Args& args) {
  CommandLine cli("merge", "merge PROFILE... [--force]",
                  "Adds each profile's counts to the store, one atomic write per profile.\n"
                  "A profile whose id was merged before is refused (counts would be added\n"
                  "twice) unless --force. Formats (capnp, text, json) are recognised by content.\n"
                  "Exits 1 if any profile failed; the others are merged. A PROFILE may be '-'\n"
                  "(stdin) or a pipe, and gzip content is decompressed.");
  cli.flags().add_options()("profile", po::value<std::vector<std::string>>()->required(),
                            "profile files")("force",
                                             "merge even a profile whose id was merged before");
  cli.AddPositional("profile", -1);
  if (auto exit_code = cli.Parse(args)) return *exit_code;

  auto store = cli.OpenStore(/*read_only=*/false);
  if (!store.ok()) return cli.Fail(store.status());
  ApplyOptions options;
  options.force = cli.Has("force");
  int failures = 0;
  for (const std::string& path : cli.Get<std::vector<std::string>>("profile")) {
    auto profile = formats::ReadProfile(path);
    Status status = profile.ok() ? (*store)->Apply(*profile, options) : profile.status();
    if (!status.ok()) {
      // Read errors already name the file; a refused merge names the store.
      cli.Fail(profile.ok() ? status.WithContext(path) : status);
      ++failures;
      continue;
    }
    std::printf("merged %s: profile %s from %s, %zu edges\n", path.c_str(),
                profile->profile->IdHex().c_str(),
                EscapeForTerminal(profile->profile->source_host).c_str(), profile->edges.size());
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace blobgraph::tools
