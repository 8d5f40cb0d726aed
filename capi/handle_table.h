// HandleTable: turns the C API's opaque handles into objects, safely.
//
// A handle is not a pointer the caller could make us dereference: it is a
// token encoding a slot index and that slot's generation. Looking a token up
// checks the slot's current generation and kind, so a NULL, closed, reused or
// made-up token, or an engine token passed as a store, is answered with
// nullptr and never touches freed memory. Slots live in chunks that are never
// freed or moved; a slot freed by Remove() gets a new generation before it is
// reused, so stale copies of a handle stay invalid.
//
// The table is process-wide: a C handle has to be checkable without any
// context object, which is the one thing a C ABI cannot pass us. It is a
// constant-initialised global with a trivial destructor, so it exists before
// any call and still exists during process exit, and the hot path reaches it
// at a fixed address.
//
// Threads: Lookup() is lock-free (two acquire loads) and may run on any
// thread. Insert() and Remove() take a mutex. Removing a token while another
// thread is inside a call that looked the same token up is the caller's
// error (the C API documents it as with free()).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace blobgraph::capi {

enum class HandleKind : uint8_t { kStore = 1, kEngine = 2, kClient = 3 };

class HandleTable {
 public:
  static constexpr size_t kChunkSlots = 1024;
  static constexpr size_t kMaxChunks = 1024;  // about a million live handles
  static constexpr unsigned kGenerationBits = sizeof(uintptr_t) * 4;

  constexpr HandleTable() = default;
  static HandleTable& Get();

  // Registers `object`; returns its token (never 0), or 0 when the table is
  // full or out of memory.
  uintptr_t Insert(void* object, HandleKind kind) noexcept;

  // The object `token` names if it is live and of `kind`, else nullptr.
  void* Lookup(uintptr_t token, HandleKind kind) const noexcept {
    size_t index = token >> kGenerationBits;
    uint64_t generation = token & kGenerationMask;
    if (generation == 0 || index >= kChunkSlots * kMaxChunks) return nullptr;
    const Slot* chunk = chunks_[index / kChunkSlots].load(std::memory_order_acquire);
    if (chunk == nullptr) return nullptr;
    const Slot& slot = chunk[index % kChunkSlots];
    if (slot.key.load(std::memory_order_acquire) != Key(generation, kind)) return nullptr;
    return slot.object.load(std::memory_order_relaxed);
  }

  // Invalidates `token` and returns the object it named (now the caller's to
  // destroy), or nullptr if it was not live and of `kind`.
  void* Remove(uintptr_t token, HandleKind kind) noexcept;

 private:
  static constexpr uintptr_t kGenerationMask = (uintptr_t{1} << kGenerationBits) - 1;

  struct Slot {
    // (generation << 8) | kind while live; 0 while free.
    std::atomic<uint64_t> key{0};
    std::atomic<void*> object{nullptr};
    uint64_t last_generation = 0;  // guarded by mutex_
    uint32_t next_free = 0;        // guarded by mutex_; index + 1, 0 = end
  };

  static uint64_t Key(uint64_t generation, HandleKind kind) {
    return (generation << 8) | static_cast<uint8_t>(kind);
  }
  Slot* SlotAt(size_t index) const {
    return &chunks_[index / kChunkSlots].load(std::memory_order_relaxed)[index % kChunkSlots];
  }

  std::atomic<Slot*> chunks_[kMaxChunks] = {};
  std::mutex mutex_;
  size_t used_slots_ = 0;   // slots ever handed out; guarded by mutex_
  uint32_t free_head_ = 0;  // index + 1 of the first free slot, 0 = none
};

// The one table (see above). Only capi/ sees it; it is not exported.
extern constinit HandleTable handle_table;

inline HandleTable& HandleTable::Get() { return handle_table; }

}  // namespace blobgraph::capi
