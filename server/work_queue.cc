#include "server/work_queue.h"

#include <pthread.h>

namespace blobgraph::server {

WorkQueue::WorkQueue(std::string name, size_t threads) : name_(std::move(name)) {
  for (size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { WorkerLoop(); });
    pthread_setname_np(threads_.back().native_handle(), name_.substr(0, 15).c_str());
  }
}

WorkQueue::~WorkQueue() { Shutdown(); }

void WorkQueue::Post(kj::Function<void()> job) {
  busy_.fetch_add(1, std::memory_order_acq_rel);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(kj::mv(job));
  }
  wake_.notify_one();
}

void WorkQueue::WorkerLoop() {
  for (;;) {
    kj::Function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping and drained
      job = kj::mv(jobs_.front());
      jobs_.pop_front();
    }
    {
      // Run and destroy the job (and its fulfiller) before counting it done.
      kj::Function<void()> running = kj::mv(job);
      running();
    }
    busy_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void WorkQueue::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

}  // namespace blobgraph::server
