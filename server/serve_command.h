// The command-line entry points of the profile server and its client, as
// library functions the blobgraph command's subcommands (tools/) call, and
// the standalone blobgraph-server daemon's main.
//
// Flags (tools/ maps them onto these structs):
//   blobgraph serve [--db DIR] [--listen HOST:PORT] [--token-file F]
//                   [--tls-cert F --tls-key F] [--insecure]
//                   [--max-push-edges N] [--max-connections N] [--port-file F]
//                   and the limits of server/serve_limits.h (--max-push-bytes,
//                   --max-connection-bytes, --max-pending-bytes, --max-open-pushes,
//                   --max-name-bytes, --max-unauthenticated, --auth-timeout,
//                   --max-auth-failures, --pull-send-timeout)
//   blobgraph push  --server ADDR [--token-file F] [--tls [--tls-ca F]] PROFILE...
//   blobgraph pull  --server ADDR [--token-file F] [-o FILE] [--max-functions N]
//                   [--max-bytes N] [--min-calls N]
//   stats/callees/prefetch --server ADDR: the same queries answered by the server.
// --token-file defaults to $BLOBGRAPH_TOKEN_FILE. Any thread; each call is
// self-contained. Errors are printed to stderr; the return value is the exit code.
#pragma once

#include <string>
#include <vector>

#include "blobgraph/status.h"
#include "server/profile_client.h"
#include "server/profile_server.h"

namespace blobgraph::server {

using ServeOptions = ServerOptions;

// Opens the store, serves until SIGTERM/SIGINT, shuts down cleanly.
// 0 on a clean stop, 1 on an error (printed as "blobgraph serve: <status>").
// REQUIRES: called on the main thread (it takes SIGTERM and SIGINT).
int RunServe(const ServeOptions& options);

// blobgraph-server's main: parses the serve flags above, then RunServe.
int ServeMain(int argc, char** argv);

// The flags every client command shares.
struct ClientFlags {
  std::string server;      // --server HOST[:PORT]
  std::string token_file;  // --token-file; empty: $BLOBGRAPH_TOKEN_FILE, else no token
  bool tls = false;        // --tls (implied by --tls-ca)
  std::string tls_ca_file; // --tls-ca: trust this certificate
  std::string tls_server_name;  // --tls-name: expected certificate name
};

// Reads the token file and builds the client's options.
Result<ClientOptions> ClientOptionsFromFlags(const ClientFlags& flags);

// Connects with the flags; on failure prints "blobgraph <command>: ..." and
// returns nullptr.
std::unique_ptr<ProfileClient> ConnectOrReport(const ClientFlags& flags, const char* command);

}  // namespace blobgraph::server
