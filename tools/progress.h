// ProgressTicker: a progress line on stderr for work that takes over a
// second, only when stderr is a terminal and --quiet was not given.
//
// A background thread redraws "<phase> <fraction or spinner> <elapsed>"
// ten times a second; the work thread only stores numbers (atomics), so
// reporting costs nothing measurable. Destroying the ticker erases the line.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace blobgraph::tools {

class ProgressTicker {
 public:
  ProgressTicker(bool quiet, std::string phase);
  ~ProgressTicker();
  ProgressTicker(const ProgressTicker&) = delete;
  ProgressTicker& operator=(const ProgressTicker&) = delete;

  void SetPhase(std::string phase);
  // `done` of `total` units (total 0: unknown, a spinner is shown).
  void SetProgress(uint64_t done, uint64_t total);

 private:
  void Run();
  void Draw(double seconds, int tick);

  bool enabled_;
  std::mutex mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  bool drawn_ = false;
  std::string phase_;
  std::atomic<uint64_t> done_{0};
  std::atomic<uint64_t> total_{0};
  std::thread thread_;
};

}  // namespace blobgraph::tools
