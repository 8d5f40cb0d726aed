// WorkQueue: a few threads that run blocking store work (synced writes,
// scans for a pull, statistics) off the RPC event loop, so one slow write
// never delays a callees query on another connection.
//
// Run() is called on the event-loop thread and returns a promise of that
// thread; the job runs on a worker and the promise resolves (or rejects with
// the job's exception) through a cross-thread fulfiller. If the promise is
// dropped first, the job still runs to its end; its result is discarded.
// Jobs run in FIFO order; with one thread that makes them serial, which the
// server uses to make "check id, then apply" atomic for pushes.
// Owner: ProfileServer. Shutdown() (or the destructor) finishes queued jobs
// and joins; REQUIRES: no job is blocked waiting on the event loop then.
#pragma once

#include <kj/async.h>
#include <kj/function.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace blobgraph::server {

class WorkQueue {
 public:
  WorkQueue(std::string name, size_t threads);
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  template <typename Fn>
  auto Run(Fn&& fn) -> kj::Promise<std::invoke_result_t<Fn>> {
    using T = std::invoke_result_t<Fn>;
    auto paf = kj::newPromiseAndCrossThreadFulfiller<T>();
    Post([fulfiller = kj::mv(paf.fulfiller), fn = kj::fwd<Fn>(fn)]() mutable {
      KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() {
                     if constexpr (std::is_void_v<T>) {
                       fn();
                       fulfiller->fulfill();
                     } else {
                       fulfiller->fulfill(fn());
                     }
                   })) {
        fulfiller->reject(kj::mv(*exception));
      }
    });
    return kj::mv(paf.promise);
  }

  // Jobs queued or running.
  size_t busy() const { return busy_.load(std::memory_order_acquire); }
  void Shutdown();

 private:
  void Post(kj::Function<void()> job);
  void WorkerLoop();

  std::string name_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<kj::Function<void()>> jobs_;
  bool stopping_ = false;
  std::atomic<size_t> busy_{0};
  std::vector<std::thread> threads_;
};

}  // namespace blobgraph::server
