// Shared by the C API's .cc files: the objects behind the handles, handle
// lookup, and the error plumbing (thread-local message, Status -> code,
// exception guard). Belongs to capi/ alone.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "blobgraph/c.h"
#include "blobgraph/engine.h"
#include "blobgraph/graph_store.h"
#include "blobgraph/status.h"
#include "capi/handle_table.h"

namespace blobgraph::capi {

// What a blobgraph_store handle names. Owns the store.
struct StoreObject {
  std::unique_ptr<GraphStore> store;
  std::string path;
  std::atomic<int64_t> open_engines{0};  // engines borrowing `store`
};

// What a blobgraph_engine handle names. Owns the engine; borrows the store,
// which refuses to close while open_engines > 0.
struct EngineObject {
  std::unique_ptr<Engine> engine;
  StoreObject* store = nullptr;
  PrefetchOptions prefetch_defaults;
};

inline StoreObject* LookupStore(blobgraph_store* handle) noexcept {
  return static_cast<StoreObject*>(
      HandleTable::Get().Lookup(reinterpret_cast<uintptr_t>(handle), HandleKind::kStore));
}
inline EngineObject* LookupEngine(blobgraph_engine* handle) noexcept {
  return static_cast<EngineObject*>(
      HandleTable::Get().Lookup(reinterpret_cast<uintptr_t>(handle), HandleKind::kEngine));
}

// Records `message` as this thread's last error and returns `code`.
blobgraph_status Fail(blobgraph_status code, std::string message) noexcept;
// OK -> BLOBGRAPH_OK; otherwise records the message and returns the code.
blobgraph_status FromStatus(const Status& status) noexcept;
// "<function>: <what> handle is NULL, closed or not a <what> handle".
blobgraph_status ClosedHandle(const char* function, const char* what) noexcept;
// "<function>: <argument> is NULL".
blobgraph_status NullArgument(const char* function, const char* argument) noexcept;

// Runs `body` (returning blobgraph_status); any exception becomes
// BLOBGRAPH_INTERNAL naming `function`, so none crosses the C boundary.
template <typename Body>
blobgraph_status Guard(const char* function, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    return Fail(BLOBGRAPH_INTERNAL, std::string(function) + ": " + e.what());
  } catch (...) {
    return Fail(BLOBGRAPH_INTERNAL, std::string(function) + ": unknown exception");
  }
}

}  // namespace blobgraph::capi
