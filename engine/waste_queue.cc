#include "engine/waste_queue.h"

#include <algorithm>
#include <bit>

namespace blobgraph::engine {

WasteQueue::WasteQueue(size_t capacity) {
  size_t size = std::bit_ceil(std::max<size_t>(capacity, 2));
  cells_.reset(new Cell[size]);
  for (size_t i = 0; i < size; ++i) cells_[i].sequence.store(i, std::memory_order_relaxed);
  mask_ = size - 1;
}

bool WasteQueue::TryPush(const WastedEdge& edge) noexcept {
  uint64_t ticket = enqueue_.load(std::memory_order_relaxed);
  for (;;) {
    Cell& cell = cells_[ticket & mask_];
    uint64_t sequence = cell.sequence.load(std::memory_order_acquire);
    int64_t lag = static_cast<int64_t>(sequence) - static_cast<int64_t>(ticket);
    if (lag == 0) {
      if (enqueue_.compare_exchange_weak(ticket, ticket + 1, std::memory_order_relaxed)) {
        cell.edge = edge;
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

bool WasteQueue::TryPop(WastedEdge* edge) noexcept {
  uint64_t ticket = dequeue_.load(std::memory_order_relaxed);
  for (;;) {
    Cell& cell = cells_[ticket & mask_];
    uint64_t sequence = cell.sequence.load(std::memory_order_acquire);
    int64_t lag = static_cast<int64_t>(sequence) - static_cast<int64_t>(ticket + 1);
    if (lag == 0) {
      if (dequeue_.compare_exchange_weak(ticket, ticket + 1, std::memory_order_relaxed)) {
        *edge = cell.edge;
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

}  // namespace blobgraph::engine
