#include "engine/call_recorder.h"

#include <new>
#include <thread>
#include <utility>

namespace blobgraph::engine {
namespace {

constexpr size_t kInitialSlots = 4096;

std::atomic<uint64_t> next_recorder_id{1};

struct LocalCache {
  uint64_t recorder_id = 0;
  void* buffer = nullptr;
};
thread_local LocalCache local_cache;

// Per-thread registration inside one recorder, so a thread that switches
// between engines finds its own buffer again instead of making another.
thread_local std::thread::id this_thread_id = std::this_thread::get_id();

size_t SlotOf(const BlobHash& caller, const BlobHash& callee, size_t mask) {
  uint64_t h = caller.Fingerprint() * 0x9E3779B97F4A7C15ull ^ callee.Fingerprint();
  h ^= h >> 31;
  return static_cast<size_t>(h) & mask;
}

class SpinLock {
 public:
  explicit SpinLock(std::atomic<bool>& flag) : flag_(flag) {
    while (flag_.exchange(true, std::memory_order_acquire)) {
      while (flag_.load(std::memory_order_relaxed)) std::this_thread::yield();
    }
  }
  ~SpinLock() { flag_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool>& flag_;
};

}  // namespace

CallRecorder::CallRecorder(size_t flush_threshold)
    : id_(next_recorder_id.fetch_add(1, std::memory_order_relaxed)),
      flush_threshold_(flush_threshold ? flush_threshold : 1) {}

CallRecorder::~CallRecorder() = default;

CallRecorder::ThreadBuffer* CallRecorder::LocalBuffer() noexcept {
  if (local_cache.recorder_id == id_) return static_cast<ThreadBuffer*>(local_cache.buffer);
  return RegisterThread();
}

CallRecorder::ThreadBuffer* CallRecorder::RegisterThread() noexcept {
  // A thread's first call allocates its buffer; out of memory, the call is
  // dropped (counted) instead of ending the process.
  try {
    return RegisterThreadOrThrow();
  } catch (const std::exception&) {
    dropped_calls_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
}

CallRecorder::ThreadBuffer* CallRecorder::RegisterThreadOrThrow() {
  std::lock_guard<std::mutex> lock(registry_mutex_);
  ThreadBuffer* buffer = nullptr;
  // Owners are recorded beside buffers by index; a linear scan is fine for
  // the handful of threads a runtime records from, and this is the slow path.
  for (size_t i = 0; i < buffers_.size(); ++i) {
    if (owners_[i] == this_thread_id) buffer = buffers_[i].get();
  }
  if (!buffer) {
    auto fresh = std::make_unique<ThreadBuffer>();
    fresh->table = std::make_unique<Table>(kInitialSlots);
    buffers_.reserve(buffers_.size() + 1);
    owners_.reserve(owners_.size() + 1);
    buffer = fresh.get();
    buffers_.push_back(std::move(fresh));  // reserved: cannot throw
    owners_.push_back(this_thread_id);
  }
  local_cache.recorder_id = id_;
  local_cache.buffer = buffer;
  return buffer;
}

void CallRecorder::Insert(Table* table, const BlobHash& caller, const BlobHash& callee,
                          uint64_t count) {
  for (size_t slot = SlotOf(caller, callee, table->mask);; slot = (slot + 1) & table->mask) {
    Entry& entry = table->entries[slot];
    if (entry.count == 0) {
      entry.caller = caller;
      entry.callee = callee;
      entry.count = count;
      ++table->size;
      return;
    }
    if (entry.caller == caller && entry.callee == callee) {
      entry.count += count;
      return;
    }
  }
}

void CallRecorder::Grow(ThreadBuffer* buffer) {
  auto grown = std::make_unique<Table>(buffer->table->entries.size() * 2);
  for (const Entry& entry : buffer->table->entries) {
    if (entry.count) Insert(grown.get(), entry.caller, entry.callee, entry.count);
  }
  buffer->table = std::move(grown);
}

void CallRecorder::Record(const BlobHash& caller, const BlobHash& callee) noexcept {
  ThreadBuffer* buffer = LocalBuffer();
  if (buffer == nullptr) [[unlikely]]
    return;  // counted in dropped_calls_
  SpinLock lock(buffer->locked);
  Table* table = buffer->table.get();
  // Insert needs a free slot to end its probe. Normally the table is at most
  // half full; only after a failed Grow can it fill up.
  if (table->size + 1 >= table->entries.size()) [[unlikely]] {
    dropped_calls_.fetch_add(1, std::memory_order_relaxed);
    needs_drain_.store(true, std::memory_order_relaxed);
    return;
  }
  Insert(table, caller, callee, 1);
  if (table->size * 2 > table->entries.size()) {
    try {
      Grow(buffer);  // frees `table`
    } catch (const std::bad_alloc&) {
      // Keep the old table (it still has room) and ask for a drain, which
      // empties it; Record must not throw.
      needs_drain_.store(true, std::memory_order_relaxed);
    }
    table = buffer->table.get();
  }
  if (table->size >= flush_threshold_ && !needs_drain_.load(std::memory_order_relaxed)) {
    needs_drain_.store(true, std::memory_order_relaxed);
  }
}

void CallRecorder::Drain(std::vector<EdgeDelta>* out) {
  std::vector<ThreadBuffer*> buffers;
  {
    std::lock_guard<std::mutex> lock(registry_mutex_);
    for (auto& buffer : buffers_) buffers.push_back(buffer.get());
  }
  needs_drain_.store(false, std::memory_order_relaxed);
  for (ThreadBuffer* buffer : buffers) {
    // Allocate the replacement outside the spinlock; hold it only to swap.
    auto fresh = std::make_unique<Table>(kInitialSlots);
    {
      SpinLock lock(buffer->locked);
      if (buffer->table->size == 0) continue;
      std::swap(fresh, buffer->table);
    }
    for (const Entry& entry : fresh->entries) {
      if (entry.count) out->push_back(EdgeDelta{entry.caller, entry.callee, 0, entry.count});
    }
  }
}

}  // namespace blobgraph::engine
