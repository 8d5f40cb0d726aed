// blobgraph serve: the profile server for a build farm (server/). The one
// definition of its flags, defaults and help: blobgraph-server
// (tools/server_main.cc) runs this same command under its own name.
#include <limits>

#include "server/profile_server.h"
#include "server/serve_limits.h"
#include "tools/command_line.h"

namespace blobgraph::tools {

int RunServeAs(const std::string& program, const Args& args) {
  CommandLine cli(
      "serve",
      "serve [--db DIR] [--listen HOST:PORT] [--token-file F] [--tls-cert F --tls-key F] "
      "[--insecure]",
      "Serves the store to build machines over Cap'n Proto RPC: pushes (acknowledged\n"
      "once synced to disk, each profile id applied once), pulls of the merged graph\n"
      "or its hot part, callees/prefetch/stats queries. Logs one line per connection\n"
      "and per push to stderr; SIGTERM/SIGINT finish in-flight pushes and close the\n"
      "store. Without --token-file it listens only on loopback unless --insecure.");
  cli.set_program(program);
  cli.flags().add_options()("listen", po::value<std::string>()->default_value("127.0.0.1:7979"),
                            "HOST:PORT to listen on")(
      "token-file", po::value<std::string>(), "file holding the token clients must present")(
      "tls-cert", po::value<std::string>(), "PEM certificate (with --tls-key): serve TLS")(
      "tls-key", po::value<std::string>(), "PEM private key")(
      "insecure", "allow a non-loopback address without a token")(
      "port-file", po::value<std::string>(), "write the bound port here (for --listen HOST:0)");
  cli.AddWhole("max-push-edges", 8u << 20, {1, std::numeric_limits<uint64_t>::max()},
               "entries per push (each kind)");
  cli.AddWhole("max-connections", 256, {1, (1u << 20) - 1},
               "authenticated connections served at once");
  // The limits that keep one client from starving the others (server/serve_limits.h).
  for (const server::LimitFlag& limit : server::ServerLimitFlags()) {
    std::string help =
        std::string(limit.help) + " (default " + server::LimitDefaultText(limit) + ")";
    if (limit.seconds) {
      cli.AddReal(limit.name, std::nullopt, {limit.min, limit.max}, help);
    } else {
      cli.AddWhole(limit.name, std::nullopt, {uint64_t(limit.min), uint64_t(limit.max)}, help);
    }
  }
  if (auto exit_code = cli.Parse(args)) return *exit_code;
  server::ServerOptions options;
  options.db_path = cli.DbPath();
  options.listen = cli.Get<std::string>("listen");
  if (cli.Has("token-file")) options.token_file = cli.Get<std::string>("token-file");
  if (cli.Has("tls-cert")) options.tls_cert_file = cli.Get<std::string>("tls-cert");
  if (cli.Has("tls-key")) options.tls_key_file = cli.Get<std::string>("tls-key");
  if (cli.Has("port-file")) options.port_file = cli.Get<std::string>("port-file");
  options.insecure = cli.Has("insecure");
  options.max_push_edges = cli.Whole("max-push-edges");
  options.max_connections = static_cast<uint32_t>(cli.Whole("max-connections"));
  options.log = !cli.quiet();
  for (const server::LimitFlag& limit : server::ServerLimitFlags()) {
    if (!cli.Has(limit.name)) continue;
    limit.set(options, limit.seconds ? cli.Real(limit.name) : double(cli.Whole(limit.name)));
  }
  // Open takes SIGTERM and SIGINT: this runs on the main thread.
  auto server = server::ProfileServer::Open(options);
  if (!server.ok()) return cli.Fail(server.status().ToString());
  Status served = (*server)->Serve();
  if (!served.ok()) return cli.Fail(served.ToString());
  return 0;
}

int RunServe(const Args& args) { return RunServeAs("blobgraph serve", args); }

}  // namespace blobgraph::tools
