#include "push_scenario_util.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "blobgraph/profile_client.h"
#include "server_process_util.h"

namespace blobgraph::server::testing {

std::string RunPushScenario(const PushScenario& scenario) {
  TempDir dir;
  auto server = std::make_unique<ServerProcess>(dir.File("db"), dir.File("server.log"));
  std::string error;
  if (!server->Start({"--quiet"}, &error)) return error;
  // A cut connection dies somewhere within about six pushes' worth of bytes,
  // so most pushes of a cut connection are cut mid-stream or mid-commit.
  FaultyProxy proxy(server->port(), scenario.cut_probability,
                    (scenario.shared_edges + 1) * 6 * 110 + 2000, 12345);

  const int total = scenario.clients * scenario.profiles_per_client;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(scenario.seconds_limit);
  std::mutex mutex;
  std::condition_variable acked_changed;
  int acked = 0;
  std::vector<std::string> failures;
  std::atomic<uint64_t> attempts{0};
  std::atomic<uint64_t> retries{0};     // pushes repeated after a failure
  std::atomic<uint64_t> duplicates{0};  // acknowledged as "already applied": the lost-ack case

  auto run_client = [&](int client_index) {
    ClientOptions options;
    options.address = proxy.address();
    options.max_attempts = 4;
    options.retry_backoff = std::chrono::milliseconds(10);
    options.call_timeout = std::chrono::milliseconds(20000);
    std::unique_ptr<ProfileClient> client;
    for (int i = 0; i < scenario.profiles_per_client; ++i) {
      uint64_t index = static_cast<uint64_t>(client_index) * scenario.profiles_per_client + i;
      GraphUpdate profile = MakeProfile(index, scenario.shared_edges);
      for (;;) {
        if (std::chrono::steady_clock::now() > deadline) {
          std::lock_guard<std::mutex> lock(mutex);
          failures.push_back("client " + std::to_string(client_index) + ": profile " +
                             std::to_string(index) + " not acknowledged before the deadline");
          return;
        }
        attempts.fetch_add(1);
        if (!client) {
          auto connected = ProfileClient::Connect(options);
          if (!connected.ok()) {
            usleep(20000);
            continue;
          }
          client = std::move(*connected);
        }
        // Pushing the same update again after any failure is the documented
        // retry: the id makes it apply at most once.
        auto pushed = client->Push(profile);
        if (pushed.ok()) {
          retries.fetch_add(pushed->attempts - 1);
          if (pushed->already_applied) duplicates.fetch_add(1);
          break;
        }
        retries.fetch_add(1);
        if (pushed.status().code() == Status::Code::kInvalidInput) {
          std::lock_guard<std::mutex> lock(mutex);
          failures.push_back("profile " + std::to_string(index) + ": " +
                             pushed.status().ToString());
          return;
        }
        usleep(20000);
      }
      std::lock_guard<std::mutex> lock(mutex);
      ++acked;
      acked_changed.notify_all();
    }
  };

  std::thread killer;
  if (scenario.kill_after_acks > 0) {
    killer = std::thread([&] {
      {
        std::unique_lock<std::mutex> lock(mutex);
        acked_changed.wait(lock, [&] { return acked >= scenario.kill_after_acks; });
      }
      server->Stop(SIGKILL);
      std::string restart_error;
      if (!server->Start({"--quiet"}, &restart_error)) {
        std::lock_guard<std::mutex> lock(mutex);
        failures.push_back("restart: " + restart_error);
        return;
      }
      proxy.set_target(server->port());
    });
  }
  std::vector<std::thread> clients;
  for (int c = 0; c < scenario.clients; ++c) clients.emplace_back(run_client, c);
  for (auto& thread : clients) thread.join();
  if (killer.joinable()) killer.join();
  if (!failures.empty())
    return failures.front() + " (" + std::to_string(failures.size()) + " failures)";

  int stopped = server->Stop(SIGTERM);
  if (stopped != 0)
    return "server did not stop cleanly: status " + std::to_string(stopped) + "\n" + server->Log();
  auto store = GraphStore::Open(dir.File("db"), {.create_if_missing = false, .read_only = true});
  if (!store.ok()) return store.status().ToString();

  // Exactly once: every marker edge has count 1, and every shared edge the
  // exact sum over all profiles.
  std::map<std::pair<BlobHash, BlobHash>, uint64_t> expected;
  for (int index = 0; index < total; ++index) {
    for (const auto& edge : MakeProfile(index, scenario.shared_edges).edges) {
      expected[{edge.caller, edge.callee}] += edge.dynamic_count;
    }
  }
  std::map<std::pair<BlobHash, BlobHash>, uint64_t> found;
  Status scan =
      (*store)->ForEachCaller([&](const BlobHash& caller, std::span<const CalleeInfo> callees) {
        for (const auto& callee : callees) found[{caller, callee.callee}] = callee.dynamic_count;
        return Status::Ok();
      });
  if (!scan.ok()) return scan.ToString();
  for (int index = 0; index < total; ++index) {
    auto it = found.find({MarkerCaller(index), MarkerCallee(index)});
    uint64_t count = it == found.end() ? 0 : it->second;
    if (count != 1) {
      return "profile " + std::to_string(index) + " applied " + std::to_string(count) + " times";
    }
  }
  if (found != expected) return "merged counts differ from the exact sum of all profiles";
  auto stats = (*store)->Stats();
  if (!stats.ok()) return stats.status().ToString();
  if (stats->profiles != static_cast<uint64_t>(total)) {
    return "store has " + std::to_string(stats->profiles) + " profile ids, expected " +
           std::to_string(total);
  }
  if (scenario.cut_probability > 0 && proxy.cuts() == 0) return "the proxy never cut a connection";
  std::fprintf(
      stderr,
      "scenario: %d profiles, %llu retried pushes, %llu already applied, %llu connections cut\n",
      total, (unsigned long long)retries.load(), (unsigned long long)duplicates.load(),
      (unsigned long long)proxy.cuts());
  return "";
}

}  // namespace blobgraph::server::testing
