#include "tools/client_flags.h"

#include <cstdio>
#include <cstdlib>

#include "blobgraph/profile_client.h"
#include "server/config_files.h"

namespace blobgraph::tools {

void AddClientFlags(CommandLine& cli, bool server_required) {
  auto server = po::value<std::string>();
  if (server_required) server->required();
  cli.flags().add_options()("server", server, "profile server HOST[:PORT] (default port 7979)")(
      "token-file", po::value<std::string>(), "token file (default: $BLOBGRAPH_TOKEN_FILE)")(
      "tls", "connect with TLS, trusting the system's certificate authorities")(
      "tls-ca", po::value<std::string>(), "connect with TLS, trusting this PEM certificate")(
      "tls-name", po::value<std::string>(), "name the server certificate must carry");
}

ClientFlags ClientFlagsFrom(const CommandLine& cli) {
  ClientFlags flags;
  if (cli.Has("server")) flags.server = cli.Get<std::string>("server");
  if (cli.Has("token-file")) flags.token_file = cli.Get<std::string>("token-file");
  flags.tls = cli.Has("tls");
  if (cli.Has("tls-ca")) flags.tls_ca_file = cli.Get<std::string>("tls-ca");
  if (cli.Has("tls-name")) flags.tls_server_name = cli.Get<std::string>("tls-name");
  return flags;
}

Result<server::ClientOptions> ClientOptionsFromFlags(const ClientFlags& flags) {
  server::ClientOptions options;
  if (flags.server.empty()) return Status::InvalidInput("--server ADDR is required");
  options.address = flags.server;
  std::string token_file = flags.token_file;
  if (token_file.empty()) {
    const char* from_environment = std::getenv("BLOBGRAPH_TOKEN_FILE");
    if (from_environment != nullptr) token_file = from_environment;
  }
  if (!token_file.empty()) {
    auto token = server::ReadTokenFile(token_file);
    if (!token.ok()) return token.status();
    options.token = std::move(*token);
  }
  options.tls.enabled = flags.tls || !flags.tls_ca_file.empty();
  options.tls.ca_file = flags.tls_ca_file;
  options.tls.server_name = flags.tls_server_name;
  return options;
}

std::unique_ptr<server::ProfileClient> ConnectOrReport(const ClientFlags& flags,
                                                       const char* command) {
  auto options = ClientOptionsFromFlags(flags);
  if (!options.ok()) {
    std::fprintf(stderr, "blobgraph %s: %s\n", command, options.status().ToString().c_str());
    return nullptr;
  }
  auto client = server::ProfileClient::Connect(*options);
  if (!client.ok()) {
    std::fprintf(stderr, "blobgraph %s: %s\n", command, client.status().ToString().c_str());
    return nullptr;
  }
  return std::move(*client);
}

}  // namespace blobgraph::tools
