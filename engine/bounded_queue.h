// BoundedQueue<T>: a bounded lock-free multi-producer multi-consumer queue of
// small trivially copyable values (Dmitry Vyukov's bounded MPMC queue): each
// cell carries a sequence number that says whether it is free for the
// producer of ticket t or ready for its consumer, so a producer and a
// consumer touch a cell one after the other.
//
// TryPush never blocks or allocates: when the queue is full it drops the
// value and counts it (dropped()), so a producer on a hot path never waits.
// Threads: TryPush and TryPop from any thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

namespace blobgraph::engine {

template <typename T>
class BoundedQueue {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  // `capacity` is rounded up to a power of two (at least 2).
  explicit BoundedQueue(size_t capacity) {
    size_t size = std::bit_ceil(std::max<size_t>(capacity, 2));
    cells_.reset(new Cell[size]);
    for (size_t i = 0; i < size; ++i) cells_[i].sequence.store(i, std::memory_order_relaxed);
    mask_ = size - 1;
  }
  BoundedQueue(const BoundedQueue&) = delete;
  BoundedQueue& operator=(const BoundedQueue&) = delete;

  bool TryPush(const T& value) noexcept {
    uint64_t ticket = enqueue_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[ticket & mask_];
      uint64_t sequence = cell.sequence.load(std::memory_order_acquire);
      int64_t lag = static_cast<int64_t>(sequence) - static_cast<int64_t>(ticket);
      if (lag == 0) {
        if (enqueue_.compare_exchange_weak(ticket, ticket + 1, std::memory_order_relaxed)) {
          cell.value = value;
          cell.sequence.store(ticket + 1, std::memory_order_release);
          return true;
        }
      } else if (lag < 0) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return false;  // full
      } else {
        ticket = enqueue_.load(std::memory_order_relaxed);
      }
    }
  }

  bool TryPop(T* value) noexcept {
    uint64_t ticket = dequeue_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[ticket & mask_];
      uint64_t sequence = cell.sequence.load(std::memory_order_acquire);
      int64_t lag = static_cast<int64_t>(sequence) - static_cast<int64_t>(ticket + 1);
      if (lag == 0) {
        if (dequeue_.compare_exchange_weak(ticket, ticket + 1, std::memory_order_relaxed)) {
          *value = cell.value;
          cell.sequence.store(ticket + mask_ + 1, std::memory_order_release);
          return true;
        }
      } else if (lag < 0) {
        return false;  // empty
      } else {
        ticket = dequeue_.load(std::memory_order_relaxed);
      }
    }
  }

  // Values TryPush dropped because the queue was full. Relaxed.
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  struct Cell {
    std::atomic<uint64_t> sequence;
    T value;
  };
  std::unique_ptr<Cell[]> cells_;
  size_t mask_;
  alignas(64) std::atomic<uint64_t> enqueue_{0};
  alignas(64) std::atomic<uint64_t> dequeue_{0};
  alignas(64) std::atomic<uint64_t> dropped_{0};
};

}  // namespace blobgraph::engine
