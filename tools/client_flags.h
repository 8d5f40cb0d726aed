// The flags every command that talks to a profile server takes (--server,
// --token-file, --tls, --tls-ca, --tls-name), shared by push, pull and the
// --server forms of stats, callees and prefetch.
#pragma once

#include "server/serve_command.h"
#include "tools/command_line.h"

namespace blobgraph::tools {

// Adds the flags; `server_required` for push/pull.
void AddClientFlags(CommandLine& cli, bool server_required);
server::ClientFlags ClientFlagsFrom(const CommandLine& cli);

}  // namespace blobgraph::tools
