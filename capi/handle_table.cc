#include "capi/handle_table.h"

#include <new>
#include <type_traits>

namespace blobgraph::capi {

constinit HandleTable handle_table;
static_assert(std::is_trivially_destructible_v<HandleTable>,
              "the table must outlive every call, including calls during exit");

uintptr_t HandleTable::Insert(void* object, HandleKind kind) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t index;
  if (free_head_ != 0) {
    index = free_head_ - 1;
    free_head_ = SlotAt(index)->next_free;
  } else {
    if (used_slots_ == kChunkSlots * kMaxChunks) return 0;
    index = used_slots_;
    size_t chunk = index / kChunkSlots;
    if (chunks_[chunk].load(std::memory_order_relaxed) == nullptr) {
      Slot* slots = new (std::nothrow) Slot[kChunkSlots];
      if (slots == nullptr) return 0;
      chunks_[chunk].store(slots, std::memory_order_release);
    }
    ++used_slots_;
  }
  Slot* slot = SlotAt(index);
  // Generations count up per slot and skip 0, so a token is never 0 and a
  // stale token of this slot never matches again (until 2^32 reuses).
  uint64_t generation = (slot->last_generation + 1) & kGenerationMask;
  if (generation == 0) generation = 1;
  slot->last_generation = generation;
  slot->next_free = 0;
  slot->object.store(object, std::memory_order_relaxed);
  slot->key.store(Key(generation, kind), std::memory_order_release);
  return (static_cast<uintptr_t>(index) << kGenerationBits) | static_cast<uintptr_t>(generation);
}

void* HandleTable::Remove(uintptr_t token, HandleKind kind) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  void* object = Lookup(token, kind);
  if (object == nullptr) return nullptr;
  size_t index = token >> kGenerationBits;
  Slot* slot = SlotAt(index);
  slot->key.store(0, std::memory_order_release);
  slot->object.store(nullptr, std::memory_order_relaxed);
  slot->next_free = free_head_;
  free_head_ = static_cast<uint32_t>(index + 1);
  return object;
}

}  // namespace blobgraph::capi
