// blobgraph push: send profiles to a profile server.
#include <cstdio>

#include "tools/client_flags.h"
#include "tools/profile_input.h"

namespace blobgraph::tools {

// push --retract (cmd_push_retract.cc): 0 on success, 1 after reporting a failure.
int RetractOnServer(const CommandLine& cli, server::ProfileClient& client, const std::string& path,
                    const GraphUpdate& profile);

int RunPush(const Args& args) {
  CommandLine cli("push", "push --server ADDR [--token-file F] [--retract] PROFILE...",
                  "Pushes each profile to the server; it answers once the push is synced to\n"
                  "disk. A profile whose id the server applied before is reported as already\n"
                  "applied (safe to repeat after a lost connection). Exits 1 if any failed.\n"
                  "A PROFILE may be '-' (stdin) or a pipe, and gzip content is decompressed.\n"
                  "--retract takes each profile back on the server instead (blobgraph retract\n"
                  "there): the file must be the one the server merged.");
  cli.flags().add_options()("profile", po::value<std::vector<std::string>>()->required(),
                            "profile files")(
      "retract", "retract the profiles on the server (subtract what their merge added, once)");
  cli.AddPositional("profile", -1);
  AddClientFlags(cli, /*server_required=*/true);
  if (auto exit_code = cli.Parse(args)) return *exit_code;
  auto client = ConnectOrReport(ClientFlagsFrom(cli), "push");
  if (!client) return 1;
  int failures = 0;
  for (const std::string& path : cli.Get<std::vector<std::string>>("profile")) {
    std::optional<GraphUpdate> profile = ReadProfileArgument(cli, path, &failures);
    if (!profile) continue;
    if (cli.Has("retract")) {
      failures += RetractOnServer(cli, *client, path, *profile);
      continue;
    }
    auto pushed = client->Push(*profile);
    if (!pushed.ok()) {
      cli.Fail(pushed.status().WithContext(path));
      ++failures;
      continue;
    }
    std::printf("pushed %s: profile %s, %s\n", path.c_str(), profile->profile->IdHex().c_str(),
                pushed->already_applied
                    ? "already applied"
                    : (std::to_string(pushed->edges_applied) + " edges applied").c_str());
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace blobgraph::tools
