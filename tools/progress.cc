#include "tools/progress.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace blobgraph::tools {

ProgressTicker::ProgressTicker(bool quiet, std::string phase)
    : enabled_(!quiet && isatty(STDERR_FILENO)), phase_(std::move(phase)) {
  if (enabled_) thread_ = std::thread([this] { Run(); });
}

ProgressTicker::~ProgressTicker() {
  if (!enabled_) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_signal_.notify_all();
  thread_.join();
  if (drawn_) std::fprintf(stderr, "\r\033[K");
}

void ProgressTicker::SetPhase(std::string phase) {
  std::lock_guard<std::mutex> lock(mutex_);
  phase_ = std::move(phase);
  done_ = 0;
  total_ = 0;
}

void ProgressTicker::SetProgress(uint64_t done, uint64_t total) {
  done_.store(done, std::memory_order_relaxed);
  total_.store(total, std::memory_order_relaxed);
}

void ProgressTicker::Run() {
  auto start = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  for (int tick = 0;; ++tick) {
    if (stop_signal_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stopping_; })) {
      return;
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (seconds >= 1.0) Draw(seconds, tick);  // short work never draws
  }
}

void ProgressTicker::Draw(double seconds, int tick) {
  constexpr int kWidth = 30;
  uint64_t done = done_.load(std::memory_order_relaxed);
  uint64_t total = total_.load(std::memory_order_relaxed);
  std::string bar;
  if (total > 0) {
    int filled = static_cast<int>(kWidth * (done > total ? 1.0 : double(done) / total));
    bar = std::string("[") + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] " +
          std::to_string(done * 100 / total) + "%";
  } else {
    static const char kSpinner[] = "|/-\\";
    bar = std::string(1, kSpinner[tick % 4]);
  }
  std::fprintf(stderr, "\r\033[K%s %s %.0fs", phase_.c_str(), bar.c_str(), seconds);
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace blobgraph::tools
