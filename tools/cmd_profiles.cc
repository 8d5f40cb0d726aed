// blobgraph profiles: the merged profiles of the store (or of a server),
// retracted ones too: the provenance of the counts.
#include <cstdio>

#include "tools/client_flags.h"
#include "tools/command_line.h"
#include "tools/profile_listing.h"

namespace blobgraph::tools {

int RunProfiles(const Args& args) {
  CommandLine cli("profiles", "profiles [--json] [--server ADDR]",
                  "Lists every profile merged into the store, in id order: id, state (merged\n"
                  "or retracted), when it was created and merged, its edge entries and the\n"
                  "host it came from (escaped: control characters print as \\xNN). With\n"
                  "--server, the profile server's list (capped; says so when truncated).");
  cli.AllowJson();
  AddClientFlags(cli, /*server_required=*/false);
  if (auto exit_code = cli.Parse(args)) return *exit_code;
  if (cli.Has("server")) {
    auto client = ConnectOrReport(ClientFlagsFrom(cli), "profiles");
    if (client == nullptr) return 1;
    auto listing = client->Profiles();
    if (!listing.ok()) return cli.Fail(listing.status());
    PrintProfiles(listing->profiles, listing->total, listing->truncated, cli.json());
    return 0;
  }
  auto store = cli.OpenStore(/*read_only=*/true, /*create=*/false);
  if (!store.ok()) return cli.Fail(store.status());
  std::vector<ProfileRecord> records;
  Status listed = (*store)->ForEachProfile([&](const ProfileRecord& record) {
    records.push_back(record);
    return Status::Ok();
  });
  if (!listed.ok()) return cli.Fail(listed);
  PrintProfiles(records, records.size(), /*truncated=*/false, cli.json());
  return 0;
}

}  // namespace blobgraph::tools
