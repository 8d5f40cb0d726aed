#include "engine/snapshot_cell.h"

#include <thread>

namespace blobgraph::engine {

size_t SnapshotCell::ThreadStripe() noexcept {
  // Round-robin per thread, shared by every cell in the process: a stripe is
  // only a contention hint, correctness does not depend on exclusivity.
  static std::atomic<size_t> next_stripe{0};
  thread_local size_t stripe = next_stripe.fetch_add(1, std::memory_order_relaxed) % kStripes;
  return stripe;
}

SnapshotCell::SnapshotCell(std::unique_ptr<HotSubgraph> initial) : current_(initial.release()) {}

SnapshotCell::~SnapshotCell() { delete current_.load(std::memory_order_acquire); }

SnapshotCell::Guard::Guard(const SnapshotCell& cell) noexcept {
  Stripe& stripe = cell.stripes_[ThreadStripe()];
  for (;;) {
    uint64_t epoch = cell.epoch_.load(std::memory_order_seq_cst);
    std::atomic<uint64_t>* counter = &stripe.readers[epoch & 1];
    counter->fetch_add(1, std::memory_order_seq_cst);
    if (cell.epoch_.load(std::memory_order_seq_cst) == epoch) {
      counter_ = counter;
      snapshot_ = cell.current_.load(std::memory_order_seq_cst);
      return;
    }
    counter->fetch_sub(1, std::memory_order_release);
  }
}

void SnapshotCell::Publish(std::unique_ptr<HotSubgraph> next) {
  const HotSubgraph* old = current_.load(std::memory_order_acquire);
  next->version = old ? old->version + 1 : 1;
  current_.store(next.release(), std::memory_order_seq_cst);
  uint64_t old_parity = epoch_.fetch_add(1, std::memory_order_seq_cst) & 1;
  for (Stripe& stripe : stripes_) {
    int spins = 0;
    while (stripe.readers[old_parity].load(std::memory_order_acquire) != 0) {
      if (++spins > 64) std::this_thread::yield();
    }
  }
  delete old;
}

}  // namespace blobgraph::engine
