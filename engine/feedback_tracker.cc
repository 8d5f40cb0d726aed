#include "engine/feedback_tracker.h"

#include <algorithm>
#include <bit>

namespace blobgraph::engine {
namespace {

// The tag mixes every fingerprint bit, so hashes differing only in the bits
// that pick the home slot still get different tags.
uint32_t TagOf(uint64_t fingerprint) {
  return static_cast<uint32_t>((fingerprint * 0x9E3779B97F4A7C15ull) >> 32);
}

}  // namespace

FeedbackTracker::FeedbackTracker(size_t tracked_functions, uint64_t waste_window)
    : waste_window_(std::min<uint64_t>(waste_window, kSeqMask / 2)) {
  size_t capacity = std::bit_ceil(std::max<size_t>(tracked_functions, 64));
  slots_.reset(new std::atomic<uint64_t>[capacity]);
  for (size_t i = 0; i < capacity; ++i) slots_[i].store(0, std::memory_order_relaxed);
  mask_ = capacity - 1;
  producers_.reset(new std::atomic<uint64_t>[2 * capacity]);
  for (size_t i = 0; i < 2 * capacity; ++i) producers_[i].store(0, std::memory_order_relaxed);
  if (waste_window_ > 0) {
    recent_.reset(new std::atomic<uint64_t>[waste_window_]);
    for (size_t i = 0; i < waste_window_; ++i) recent_[i].store(0, std::memory_order_relaxed);
  }
}

FeedbackTracker::CounterCell& FeedbackTracker::Cell() const noexcept {
  static std::atomic<size_t> next_cell{0};
  thread_local size_t cell = next_cell.fetch_add(1, std::memory_order_relaxed) % kCells;
  return cells_[cell];
}

size_t FeedbackTracker::FindOrClaim(uint64_t fingerprint, uint64_t fresh,
                                    uint64_t* before) noexcept {
  uint32_t tag = TagOf(fingerprint);
  size_t home = HomeOf(fingerprint, mask_);
  for (size_t i = 0; i < kProbeLimit; ++i) {
    size_t slot = (home + i) & mask_;
    uint64_t word = slots_[slot].load(std::memory_order_acquire);
    while (word == 0) {
      if (slots_[slot].compare_exchange_weak(word, fresh, std::memory_order_acq_rel)) {
        *before = 0;
        return slot;
      }
    }
    if (static_cast<uint32_t>(word >> 32) == tag) {
      *before = word;
      return slot;
    }
  }
  // The window is full of other functions: evict the home slot.
  if (!evicted_.load(std::memory_order_relaxed)) evicted_.store(true, std::memory_order_relaxed);
  uint64_t word = slots_[home].load(std::memory_order_acquire);
  while (!slots_[home].compare_exchange_weak(word, fresh, std::memory_order_acq_rel)) {
  }
  if (StateOf(word) == kIssued) {
    Cell().wasted.fetch_add(1, std::memory_order_relaxed);
    QueueWaste(home, word);
  }
  *before = 0;
  return home;
}

bool FeedbackTracker::ProducerOf(size_t slot, uint64_t word, WastedEdge* edge) const noexcept {
  uint64_t callee = producers_[2 * slot + 1].load(std::memory_order_acquire);
  if (TagOf(callee) != static_cast<uint32_t>(word >> 32)) return false;
  uint64_t caller = producers_[2 * slot].load(std::memory_order_relaxed);
  if (caller == kNoProducer) return false;
  *edge = WastedEdge{caller, callee};
  return true;
}

void FeedbackTracker::QueueWaste(size_t slot, uint64_t word) noexcept {
  WastedEdge edge;
  if (ProducerOf(slot, word, &edge)) waste_queue_.TryPush(edge);
}

void FeedbackTracker::WasteIssued(std::vector<WastedEdge>* out) {
  for (size_t slot = 0; slot <= mask_; ++slot) {
    uint64_t word = slots_[slot].load(std::memory_order_acquire);
    while (StateOf(word) == kIssued) {
      uint64_t wasted = (word & ~uint64_t{3}) | kWasted;
      if (slots_[slot].compare_exchange_weak(word, wasted, std::memory_order_acq_rel)) {
        WastedEdge edge;
        if (ProducerOf(slot, word, &edge)) out->push_back(edge);
        break;
      }
    }
  }
}

uint64_t FeedbackTracker::NextIssueSeq(size_t slot) noexcept {
  return issue_seq_.fetch_add(1, std::memory_order_relaxed);
}

bool FeedbackTracker::AcceptAndIssue(const BlobHash& hash, uint64_t producer) noexcept {
  uint64_t fingerprint = hash.Fingerprint();
  uint32_t tag = TagOf(fingerprint);
  // Cheap path first: already tracked (loaded, issued or wasted).
  size_t home = HomeOf(fingerprint, mask_);
  for (size_t i = 0; i < kProbeLimit; ++i) {
    uint64_t word = slots_[(home + i) & mask_].load(std::memory_order_acquire);
    if (word == 0) break;
    if (static_cast<uint32_t>(word >> 32) == tag) return StateOf(word) != kLoaded;
  }
  uint64_t seq = NextIssueSeq(home);
  uint64_t before;
  size_t slot = FindOrClaim(fingerprint, Make(tag, seq, kIssued), &before);
  if (before != 0) return StateOf(before) != kLoaded;  // another thread got there first
  // Caller first: a reader that sees this callee word sees this caller too.
  producers_[2 * slot].store(producer, std::memory_order_relaxed);
  producers_[2 * slot + 1].store(fingerprint, std::memory_order_release);
  Cell().issued.fetch_add(1, std::memory_order_relaxed);
  if (waste_window_ > 0) {
    uint64_t stamp = (uint64_t{slot + 1} << 32) | (seq & kSeqMask);
    uint64_t old = recent_[seq % waste_window_].exchange(stamp, std::memory_order_acq_rel);
    if (old != 0) {
      size_t old_slot = static_cast<size_t>(old >> 32) - 1;
      uint64_t old_seq = old & kSeqMask;
      uint64_t word = slots_[old_slot].load(std::memory_order_acquire);
      while (StateOf(word) == kIssued && SeqOf(word) == old_seq) {
        uint64_t wasted = (word & ~uint64_t{3}) | kWasted;
        if (slots_[old_slot].compare_exchange_weak(word, wasted, std::memory_order_acq_rel)) {
          Cell().wasted.fetch_add(1, std::memory_order_relaxed);
          QueueWaste(old_slot, word);
          break;
        }
      }
    }
  }
  return true;
}

bool FeedbackTracker::Load(const BlobHash& hash) noexcept {
  uint64_t fingerprint = hash.Fingerprint();
  uint32_t tag = TagOf(fingerprint);
  uint64_t loaded = Make(tag, 0, kLoaded);
  uint64_t before;
  size_t slot = FindOrClaim(fingerprint, loaded, &before);
  if (before == 0) {
    Cell().stalls.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  for (;;) {
    State state = StateOf(before);
    if (state == kLoaded) return false;
    if (slots_[slot].compare_exchange_weak(before, loaded, std::memory_order_acq_rel)) {
      if (state == kIssued) Cell().hits.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
    if (static_cast<uint32_t>(before >> 32) != tag) return false;  // evicted meanwhile
  }
}

bool FeedbackTracker::IsLoaded(const BlobHash& hash) const noexcept {
  uint64_t fingerprint = hash.Fingerprint();
  uint32_t tag = TagOf(fingerprint);
  size_t home = HomeOf(fingerprint, mask_);
  for (size_t i = 0; i < kProbeLimit; ++i) {
    uint64_t word = slots_[(home + i) & mask_].load(std::memory_order_acquire);
    if (word == 0) return false;
    if (static_cast<uint32_t>(word >> 32) == tag) return StateOf(word) == kLoaded;
  }
  return false;
}

FeedbackStats FeedbackTracker::Stats() const noexcept {
  FeedbackStats stats;
  for (const CounterCell& cell : cells_) {
    stats.requests += cell.requests.load(std::memory_order_relaxed);
    stats.issued += cell.issued.load(std::memory_order_relaxed);
    stats.hits += cell.hits.load(std::memory_order_relaxed);
    stats.wasted += cell.wasted.load(std::memory_order_relaxed);
    stats.stalls += cell.stalls.load(std::memory_order_relaxed);
  }
  return stats;
}

}  // namespace blobgraph::engine
