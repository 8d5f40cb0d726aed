// The flags every command that talks to a profile server takes (--server,
// --token-file, --tls, --tls-ca, --tls-name), shared by push, pull and the
// --server forms of stats, callees and prefetch, and the connection they make.
// --token-file defaults to $BLOBGRAPH_TOKEN_FILE. Main thread.
#pragma once

#include <memory>
#include <string>

#include "blobgraph/profile_client.h"
#include "blobgraph/status.h"
#include "tools/command_line.h"

namespace blobgraph::tools {

// The flags every client command shares.
struct ClientFlags {
  std::string server;           // --server HOST[:PORT]
  std::string token_file;       // --token-file; empty: $BLOBGRAPH_TOKEN_FILE, else no token
  bool tls = false;             // --tls (implied by --tls-ca)
  std::string tls_ca_file;      // --tls-ca: trust this certificate
  std::string tls_server_name;  // --tls-name: expected certificate name
};

// Adds the flags; `server_required` for push/pull.
void AddClientFlags(CommandLine& cli, bool server_required);
ClientFlags ClientFlagsFrom(const CommandLine& cli);

// Reads the token file and builds the client's options.
Result<server::ClientOptions> ClientOptionsFromFlags(const ClientFlags& flags);

// Connects with the flags; on failure prints "blobgraph <command>: ..." and
// returns nullptr.
std::unique_ptr<server::ProfileClient> ConnectOrReport(const ClientFlags& flags,
                                                       const char* command);

}  // namespace blobgraph::tools
