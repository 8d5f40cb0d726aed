#include "engine/call_recorder.h"

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
  std::lock_guard<std::mutex> lock(registry_mutex_);
  ThreadBuffer* buffer = nullptr;
  // Owners are recorded beside buffers by index; a linear scan is fine for
  // the handful of threads a runtime records from, and this is the slow path.
  for (size_t i = 0; i < buffers_.size(); ++i) {
    if (owners_[i] == this_thread_id) buffer = buffers_[i].get();
  }
  if (!buffer) {
    buffers_.push_back(std::make_unique<ThreadBuffer>());
    owners_.push_back(this_thread_id);
    buffer = buffers_.back().get();
    buffer->table = std::make_unique<Table>(kInitialSlots);
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
  SpinLock lock(buffer->locked);
  Table* table = buffer->table.get();
  Insert(table, caller, callee, 1);
  if (table->size * 2 > table->entries.size()) {
    Grow(buffer);  // frees `table`
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
