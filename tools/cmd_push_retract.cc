// blobgraph push --retract: a profile taken back on the profile server.
#include <cstdio>

#include "blobgraph/profile_client.h"
#include "tools/command_line.h"

namespace blobgraph::tools {

int RetractOnServer(const CommandLine& cli, server::ProfileClient& client, const std::string& path,
                    const GraphUpdate& profile) {
  auto retracted = client.Retract(profile);
  if (!retracted.ok()) {
    cli.Fail(retracted.status().WithContext(path));
    return 1;
  }
  const std::string id = profile.profile->IdHex();
  if (retracted->already_retracted) {
    std::printf("%s: profile %s was already retracted on the server; nothing changed\n",
                path.c_str(), id.c_str());
  } else {
    std::printf("retracted %s on the server: profile %s, %llu edge entries subtracted\n",
                path.c_str(), id.c_str(), (unsigned long long)retracted->edges);
  }
  return 0;
}

}  // namespace blobgraph::tools
