#include "server/serve_command.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "server/config_files.h"
#include "server/serve_limits.h"

namespace blobgraph::server {
namespace {

constexpr const char* kServeUsage =
    "usage: blobgraph-server [--db DIR] [--listen HOST:PORT] [--token-file F]\n"
    "                        [--tls-cert F --tls-key F] [--insecure] [--max-push-edges N]\n"
    "                        [--max-connections N] [--port-file F] [--quiet]\n"
    "                        [--max-push-bytes N] [--max-connection-bytes N]\n"
    "                        [--max-pending-bytes N] [--max-open-pushes N] [--max-name-bytes N]\n"
    "                        [--max-unauthenticated N] [--max-unauthenticated-per-host N]\n"
    "                        [--auth-timeout SECONDS]\n"
    "                        [--max-auth-failures N] [--pull-send-timeout SECONDS]\n"
    "Serves the profile store DIR (default ./blobgraph.db) on HOST:PORT (default\n"
    "127.0.0.1:7979; port 0 picks one and --port-file records it) until SIGTERM/SIGINT.\n";

bool ParseCount(const char* text, uint64_t* out) {
  // Digits only: strtoull would read "-1" as 2^64-1 and skip spaces and '+'.
  if (*text < '0' || *text > '9') return false;
  char* end = nullptr;
  errno = 0;
  unsigned long long value = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0') return false;
  *out = value;
  return true;
}

}  // namespace

int RunServe(const ServeOptions& options) {
  auto server = ProfileServer::Open(options);
  if (!server.ok()) {
    std::fprintf(stderr, "blobgraph serve: %s\n", server.status().ToString().c_str());
    return 1;
  }
  Status served = (*server)->Serve();
  if (!served.ok()) {
    std::fprintf(stderr, "blobgraph serve: %s\n", served.ToString().c_str());
    return 1;
  }
  return 0;
}

int ServeMain(int argc, char** argv) {
  ServeOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&](const char** out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    const char* text = nullptr;
    uint64_t count = 0;
    bool ok = true;
    if (flag == "--help" || flag == "-h") {
      std::fputs(kServeUsage, stdout);
      return 0;
    } else if (flag == "--db") {
      ok = value(&text) && (options.db_path = text, true);
    } else if (flag == "--listen") {
      ok = value(&text) && (options.listen = text, true);
    } else if (flag == "--token-file") {
      ok = value(&text) && (options.token_file = text, true);
    } else if (flag == "--tls-cert") {
      ok = value(&text) && (options.tls_cert_file = text, true);
    } else if (flag == "--tls-key") {
      ok = value(&text) && (options.tls_key_file = text, true);
    } else if (flag == "--port-file") {
      ok = value(&text) && (options.port_file = text, true);
    } else if (flag == "--insecure") {
      options.insecure = true;
    } else if (flag == "--quiet") {
      options.log = false;
    } else if (flag == "--max-push-edges") {
      ok = value(&text) && ParseCount(text, &count) && count > 0;
      options.max_push_edges = count;
    } else if (flag == "--max-connections") {
      ok = value(&text) && ParseCount(text, &count) && count > 0 && count < (1u << 20);
      options.max_connections = static_cast<uint32_t>(count);
    } else {
      ok = false;
      for (const LimitFlag& limit : ServerLimitFlags()) {
        if (flag != std::string("--") + limit.name) continue;
        ok = value(&text) && SetLimitFlag(limit, text, &options);
        break;
      }
    }
    if (!ok) {
      std::fprintf(stderr, "blobgraph serve: bad or incomplete flag '%s'\n%s", flag.c_str(), kServeUsage);
      return 2;
    }
  }
  return RunServe(options);
}

Result<ClientOptions> ClientOptionsFromFlags(const ClientFlags& flags) {
  ClientOptions options;
  if (flags.server.empty()) return Status::InvalidInput("--server ADDR is required");
  options.address = flags.server;
  std::string token_file = flags.token_file;
  if (token_file.empty()) {
    const char* from_environment = std::getenv("BLOBGRAPH_TOKEN_FILE");
    if (from_environment != nullptr) token_file = from_environment;
  }
  if (!token_file.empty()) {
    auto token = ReadTokenFile(token_file);
    if (!token.ok()) return token.status();
    options.token = std::move(*token);
  }
  options.tls.enabled = flags.tls || !flags.tls_ca_file.empty();
  options.tls.ca_file = flags.tls_ca_file;
  options.tls.server_name = flags.tls_server_name;
  return options;
}

std::unique_ptr<ProfileClient> ConnectOrReport(const ClientFlags& flags, const char* command) {
  auto options = ClientOptionsFromFlags(flags);
  if (!options.ok()) {
    std::fprintf(stderr, "blobgraph %s: %s\n", command, options.status().ToString().c_str());
    return nullptr;
  }
  auto client = ProfileClient::Connect(*options);
  if (!client.ok()) {
    std::fprintf(stderr, "blobgraph %s: %s\n", command, client.status().ToString().c_str());
    return nullptr;
  }
  return std::move(*client);
}

}  // namespace blobgraph::server
