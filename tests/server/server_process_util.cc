#include "server_process_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace blobgraph::server::testing {

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "blobgraph-server-test-XXXXXX").string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) std::abort();
  path_ = buffer.data();
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string ServerExecutable() {
  if (const char* from_environment = std::getenv("BLOBGRAPH_SERVER_EXE")) return from_environment;
  char self[PATH_MAX];
  ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (length <= 0) return "blobgraph-server";
  self[length] = '\0';
  auto build_dir = std::filesystem::path(self).parent_path().parent_path();
  return (build_dir / "server" / "blobgraph-server").string();
}

namespace {

pid_t Spawn(const std::vector<std::string>& argv, const std::string& log_path) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (log >= 0) {
    dup2(log, 1);
    dup2(log, 2);
  }
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
  _exit(127);
}

// waitpid with a deadline; -1 on timeout.
int WaitFor(pid_t pid, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (std::chrono::steady_clock::now() > deadline) return -1;
    usleep(5000);
  }
}

std::string Tail(const std::string& text, size_t bytes = 4000) {
  return text.size() <= bytes ? text : text.substr(text.size() - bytes);
}

}  // namespace

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    WaitFor(pid_, std::chrono::seconds(30));
  }
}

bool ServerProcess::Start(const std::vector<std::string>& extra, std::string* error) {
  std::string port_file = log_ + ".port";
  unlink(port_file.c_str());
  std::vector<std::string> argv = command_;
  if (argv.empty()) argv.push_back(ServerExecutable());
  if (!db_.empty()) argv.insert(argv.end(), {"--db", db_});
  // A flag may be given once: a test's own --listen replaces the default.
  if (std::find(extra.begin(), extra.end(), "--listen") == extra.end()) {
    argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
  }
  argv.insert(argv.end(), {"--port-file", port_file});
  argv.insert(argv.end(), extra.begin(), extra.end());
  pid_ = Spawn(argv, log_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(port_file);
    unsigned port = 0;
    if (in >> port && port > 0) {
      port_ = static_cast<uint16_t>(port);
      return true;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      *error = "server exited with status " + std::to_string(status) + ": " + Tail(Log());
      return false;
    }
    usleep(10000);
  }
  *error = "server did not listen within 30 s: " + Tail(Log());
  return false;
}

int ServerProcess::Stop(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  int status = WaitFor(pid_, std::chrono::seconds(30));
  if (status == -1) {
    kill(pid_, SIGKILL);
    WaitFor(pid_, std::chrono::seconds(30));
  }
  pid_ = -1;
  return status;
}

std::string ServerProcess::Log() const {
  std::ifstream in(log_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int RunCommand(const std::vector<std::string>& argv, const std::string& log_path) {
  pid_t pid = Spawn(argv, log_path);
  int status = WaitFor(pid, std::chrono::seconds(60));
  if (status == -1) {
    kill(pid, SIGKILL);
    WaitFor(pid, std::chrono::seconds(30));
  }
  return status;
}

FaultyProxy::FaultyProxy(uint16_t target_port, double cut_probability,
                         uint64_t max_bytes_before_cut, uint64_t seed)
    : target_(target_port),
      cut_probability_(cut_probability),
      max_bytes_(max_bytes_before_cut),
      random_(seed) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      listen(listen_fd_, 128) != 0) {
    std::abort();
  }
  socklen_t length = sizeof(address);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

FaultyProxy::~FaultyProxy() {
  stopping_.store(true);
  shutdown(listen_fd_, SHUT_RDWR);
  close(listen_fd_);
  acceptor_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& thread : threads_) thread.join();
}

void FaultyProxy::AcceptLoop() {
  while (!stopping_.load()) {
    pollfd waiting{listen_fd_, POLLIN, 0};
    if (poll(&waiting, 1, 50) <= 0) continue;
    int client = accept(listen_fd_, nullptr, nullptr);
    if (client < 0) continue;
    std::lock_guard<std::mutex> lock(mutex_);
    uint64_t budget = UINT64_MAX;
    if (std::uniform_real_distribution<double>(0, 1)(random_) < cut_probability_) {
      budget = std::uniform_int_distribution<uint64_t>(0, max_bytes_)(random_);
    }
    threads_.emplace_back([this, client, budget] { Relay(client, budget); });
  }
}

void FaultyProxy::Relay(int client, uint64_t budget) {
  int upstream = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(target_.load());
  if (connect(upstream, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(upstream);
    close(client);
    return;
  }
  int one = 1;
  setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  uint64_t forwarded = 0;  // bytes in both directions, against the budget
  char buffer[65536];
  bool cut = false;
  while (!stopping_.load()) {
    pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    int ready = poll(fds, 2, 50);
    if (ready < 0) break;
    if (ready == 0) continue;
    bool closed = false;
    for (int side = 0; side < 2 && !closed; ++side) {
      if (!(fds[side].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = read(fds[side].fd, buffer, sizeof(buffer));
      if (got <= 0) {
        closed = true;
        break;
      }
      size_t allowed = static_cast<size_t>(got);
      if (budget != UINT64_MAX && forwarded + allowed > budget) {
        allowed = static_cast<size_t>(budget - forwarded);
        cut = true;
      }
      int to = side == 0 ? upstream : client;
      for (size_t sent = 0; sent < allowed;) {
        ssize_t wrote = write(to, buffer + sent, allowed - sent);
        if (wrote <= 0) {
          closed = true;
          break;
        }
        sent += static_cast<size_t>(wrote);
      }
      forwarded += allowed;
      if (cut) closed = true;
    }
    if (closed) break;
  }
  if (cut) cuts_.fetch_add(1);
  close(upstream);
  close(client);
}

BlobHash TestHash(uint64_t a, uint64_t b) {
  BlobHash hash;
  uint64_t words[4] = {a * 0x9e3779b97f4a7c15ull + 1, b ^ 0xabcdef, a, ~b};
  std::memcpy(hash.mutable_data(), words, sizeof(words));
  return hash;
}

BlobHash MarkerCaller(uint64_t index) { return TestHash(1000000 + index, 1); }
BlobHash MarkerCallee(uint64_t index) { return TestHash(1000000 + index, 2); }

GraphUpdate MakeProfile(uint64_t index, size_t shared_edges) {
  GraphUpdate update;
  std::mt19937_64 random(index * 7919 + 17);
  for (size_t i = 0; i < shared_edges; ++i) {
    uint64_t caller = random() % 64;
    uint64_t callee = random() % 256;
    update.edges.push_back({TestHash(caller), TestHash(1000 + callee), 0, 1 + random() % 3});
  }
  update.edges.push_back({MarkerCaller(index), MarkerCallee(index), 0, 1});
  update.names.emplace_back(MarkerCaller(index), "marker_" + std::to_string(index));
  ProfileInfo info;
  uint64_t id_words[2] = {index + 1, 0x5eed5eed5eed5eedull};
  std::memcpy(info.id.data(), id_words, sizeof(id_words));
  info.source_host = "test-host";
  info.created_unix_ms = 1700000000000 + static_cast<int64_t>(index);
  update.profile = info;
  return update;
}

ClientOptions TestClientOptions(const std::string& address, const std::string& token) {
  ClientOptions options;
  options.address = address;
  options.token = token;
  options.retry_backoff = std::chrono::milliseconds(20);
  options.call_timeout = std::chrono::milliseconds(30000);
  return options;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

ScenarioStep ReadScenarioStep(const TempDir& dir, const std::string& name) {
  ScenarioStep step;
  std::string rc = Slurp(dir.File(name + ".rc"));
  step.rc = rc.empty() ? -1 : std::stoi(rc);
  step.out = Slurp(dir.File(name + ".out"));
  step.err = Slurp(dir.File(name + ".err"));
  return step;
}

uint64_t JsonNumber(const std::string& json, const std::string& key) {
  size_t at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return UINT64_MAX;
  return std::stoull(json.substr(at + key.size() + 3));
}

std::string CanonicalLines(const std::string& text_export) {
  std::istringstream in(text_export);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

}  // namespace blobgraph::server::testing
