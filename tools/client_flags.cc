#include "tools/client_flags.h"

namespace blobgraph::tools {

void AddClientFlags(CommandLine& cli, bool server_required) {
  auto server = po::value<std::string>();
  if (server_required) server->required();
  cli.flags().add_options()
      ("server", server, "profile server HOST[:PORT] (default port 7979)")
      ("token-file", po::value<std::string>(), "token file (default: $BLOBGRAPH_TOKEN_FILE)")
      ("tls", "connect with TLS, trusting the system's certificate authorities")
      ("tls-ca", po::value<std::string>(), "connect with TLS, trusting this PEM certificate")
      ("tls-name", po::value<std::string>(), "name the server certificate must carry");
}

server::ClientFlags ClientFlagsFrom(const CommandLine& cli) {
  server::ClientFlags flags;
  if (cli.Has("server")) flags.server = cli.Get<std::string>("server");
  if (cli.Has("token-file")) flags.token_file = cli.Get<std::string>("token-file");
  flags.tls = cli.Has("tls");
  if (cli.Has("tls-ca")) flags.tls_ca_file = cli.Get<std::string>("tls-ca");
  if (cli.Has("tls-name")) flags.tls_server_name = cli.Get<std::string>("tls-name");
  return flags;
}

}  // namespace blobgraph::tools
