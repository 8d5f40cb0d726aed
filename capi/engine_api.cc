// blobgraph_engine_* and the per-call functions: record_call, on_load,
// prefetch, start_set. Prefetch is the hot path: one handle lookup (two
// atomic loads), the C++ call into a stack buffer, and a copy out.
#include <cmath>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include <algorithm>

#include "capi/c_api_internal.h"

using namespace blobgraph;
using namespace blobgraph::capi;

namespace {

void WritePrefetchOptions(const PrefetchOptions& in, blobgraph_prefetch_options* out) {
  out->max_depth = in.max_depth;
  out->top_n = in.top_n;
  out->min_probability = in.min_probability;
  out->max_results = in.max_results;
  out->enabled = in.enabled ? 1 : 0;
  out->start_follow = in.start_follow;
}

PrefetchOptions ToPrefetchOptions(const blobgraph_prefetch_options& in) {
  PrefetchOptions out;
  out.max_depth = in.max_depth;
  out.top_n = in.top_n;
  out.min_probability = in.min_probability;
  out.max_results = in.max_results;
  out.enabled = in.enabled != 0;
  out.start_follow = in.start_follow;
  return out;
}

// The same ranges as the C++ API (ValidatePrefetchOptions in engine.h).
// Only a bad value reaches the message building, so the hot path of a valid
// call does not allocate.
blobgraph_status CheckPrefetchOptions(const char* function, const blobgraph_prefetch_options& in) {
  if (in.min_probability >= 0.0 && in.min_probability <= 1.0) [[likely]]
    return BLOBGRAPH_OK;
  return Guard(function, [&] {
    Status valid = ValidatePrefetchOptions(ToPrefetchOptions(in));
    return Fail(BLOBGRAPH_INVALID_ARGUMENT, std::string(function) + ": " + valid.message());
  });
}

blobgraph_status ReadEngineOptions(const char* function, const blobgraph_engine_options* in,
                                   EngineOptions* out, PrefetchOptions* prefetch) {
  if (in == nullptr) return BLOBGRAPH_OK;
  if (in->struct_size != sizeof(blobgraph_engine_options)) {
    return Fail(BLOBGRAPH_INVALID_ARGUMENT, std::string(function) + ": options.struct_size is " +
                                                std::to_string(in->struct_size) + ", expected " +
                                                std::to_string(sizeof(blobgraph_engine_options)) +
                                                " (initialise with blobgraph_engine_options_init)");
  }
  if (blobgraph_status s = CheckPrefetchOptions(function, in->prefetch)) return s;
  if (in->max_pending_edges > SIZE_MAX || in->tracked_functions > SIZE_MAX ||
      in->hot_budget_bytes > SIZE_MAX) {
    return Fail(BLOBGRAPH_INVALID_ARGUMENT, std::string(function) +
                                                ": options: a size is "
                                                "larger than this platform's size_t");
  }
  out->hot_budget_bytes = static_cast<size_t>(in->hot_budget_bytes);
  out->refresh_interval = std::chrono::milliseconds(in->refresh_interval_ms);
  out->flush_interval = std::chrono::milliseconds(in->flush_interval_ms);
  out->max_pending_edges = static_cast<size_t>(in->max_pending_edges);
  out->waste_window = in->waste_window;
  out->tracked_functions = static_cast<size_t>(in->tracked_functions);
  out->model.prior_weight = in->prior_weight;
  *prefetch = ToPrefetchOptions(in->prefetch);
  // One check of every range, shared with Engine::Open (engine.h).
  if (Status valid = ValidateEngineOptions(*out); !valid.ok()) {
    return Fail(BLOBGRAPH_INVALID_ARGUMENT, std::string(function) + ": " + valid.message());
  }
  return BLOBGRAPH_OK;
}

void WriteFeedback(const FeedbackStats& in, blobgraph_feedback_stats* out) {
  out->requests = in.requests;
  out->issued = in.issued;
  out->hits = in.hits;
  out->wasted = in.wasted;
  out->stalls = in.stalls;
}

}  // namespace

extern "C" {

blobgraph_status blobgraph_prefetch_options_init(blobgraph_prefetch_options* options) {
  if (options == nullptr) return NullArgument("blobgraph_prefetch_options_init", "options");
  std::memset(options, 0, sizeof(*options));
  WritePrefetchOptions(PrefetchOptions{}, options);
  return BLOBGRAPH_OK;
}

blobgraph_status blobgraph_engine_options_init(blobgraph_engine_options* options) {
  if (options == nullptr) return NullArgument("blobgraph_engine_options_init", "options");
  EngineOptions defaults;
  std::memset(options, 0, sizeof(*options));
  options->struct_size = sizeof(blobgraph_engine_options);
  options->hot_budget_bytes = defaults.hot_budget_bytes;
  options->refresh_interval_ms = static_cast<uint32_t>(defaults.refresh_interval.count());
  options->flush_interval_ms = static_cast<uint32_t>(defaults.flush_interval.count());
  options->max_pending_edges = defaults.max_pending_edges;
  options->waste_window = defaults.waste_window;
  options->tracked_functions = defaults.tracked_functions;
  options->prior_weight = defaults.model.prior_weight;
  WritePrefetchOptions(PrefetchOptions{}, &options->prefetch);
  return BLOBGRAPH_OK;
}

blobgraph_status blobgraph_engine_open(blobgraph_store* store,
                                       const blobgraph_engine_options* options,
                                       blobgraph_engine** out) {
  static constexpr const char* kFunction = "blobgraph_engine_open";
  if (out == nullptr) return NullArgument(kFunction, "out");
  *out = nullptr;
  return Guard(kFunction, [&] {
    StoreObject* store_object = LookupStore(store);
    if (store_object == nullptr) return ClosedHandle(kFunction, "store");
    EngineOptions engine_options;
    PrefetchOptions prefetch;
    if (auto s = ReadEngineOptions(kFunction, options, &engine_options, &prefetch)) return s;
    auto engine = Engine::Open(store_object->store.get(), engine_options);
    if (!engine.ok()) return FromStatus(engine.status());
    auto object = std::make_unique<EngineObject>();
    object->engine = std::move(*engine);
    object->store = store_object;
    object->prefetch_defaults = prefetch;
    // Counted before the handle exists, so the store cannot close under it.
    store_object->open_engines.fetch_add(1, std::memory_order_acq_rel);
    uintptr_t token = HandleTable::Get().Insert(object.get(), HandleKind::kEngine);
    if (token == 0) {
      store_object->open_engines.fetch_sub(1, std::memory_order_acq_rel);
      return Fail(BLOBGRAPH_INTERNAL, std::string(kFunction) + ": too many open handles");
    }
    static_cast<void>(object.release());  // now owned by the handle table entry
    *out = reinterpret_cast<blobgraph_engine*>(token);
    return BLOBGRAPH_OK;
  });
}

blobgraph_status blobgraph_engine_close(blobgraph_engine* engine) {
  static constexpr const char* kFunction = "blobgraph_engine_close";
  return Guard(kFunction, [&] {
    auto* object = static_cast<EngineObject*>(
        HandleTable::Get().Remove(reinterpret_cast<uintptr_t>(engine), HandleKind::kEngine));
    if (object == nullptr) return ClosedHandle(kFunction, "engine");
    std::unique_ptr<EngineObject> owned(object);
    // Flush here rather than only in the destructor, so its error is seen.
    Status flushed = owned->engine->Flush();
    StoreObject* store = owned->store;
    owned.reset();
    store->open_engines.fetch_sub(1, std::memory_order_acq_rel);
    return FromStatus(flushed);
  });
}

blobgraph_status blobgraph_record_call(blobgraph_engine* engine, const blobgraph_hash* caller,
                                       const blobgraph_hash* callee) {
  EngineObject* object = LookupEngine(engine);
  if (object == nullptr) return ClosedHandle("blobgraph_record_call", "engine");
  if (caller == nullptr) return NullArgument("blobgraph_record_call", "caller");
  if (callee == nullptr) return NullArgument("blobgraph_record_call", "callee");
  object->engine->RecordCall(BlobHash::FromBytes(caller->bytes),
                             BlobHash::FromBytes(callee->bytes));
  return BLOBGRAPH_OK;
}

blobgraph_status blobgraph_on_load(blobgraph_engine* engine, const blobgraph_hash* hash) {
  EngineObject* object = LookupEngine(engine);
  if (object == nullptr) return ClosedHandle("blobgraph_on_load", "engine");
  if (hash == nullptr) return NullArgument("blobgraph_on_load", "hash");
  object->engine->OnLoad(BlobHash::FromBytes(hash->bytes));
  return BLOBGRAPH_OK;
}

blobgraph_status blobgraph_prefetch(blobgraph_engine* engine, const blobgraph_hash* hash,
                                    const blobgraph_prefetch_options* options,
                                    blobgraph_hash* out_hashes, float* out_probabilities,
                                    size_t capacity, size_t* count) {
  static constexpr const char* kFunction = "blobgraph_prefetch";
  EngineObject* object = LookupEngine(engine);
  if (object == nullptr) [[unlikely]]
    return ClosedHandle(kFunction, "engine");
  if (count == nullptr) [[unlikely]]
    return NullArgument(kFunction, "count");
  *count = 0;
  if (hash == nullptr) [[unlikely]]
    return NullArgument(kFunction, "hash");
  if (out_hashes == nullptr && capacity > 0) [[unlikely]]
    return NullArgument(kFunction, "out_hashes");

  PrefetchOptions call_options;
  const PrefetchOptions* prefetch = &object->prefetch_defaults;
  if (options != nullptr) {
    if (auto s = CheckPrefetchOptions(kFunction, *options)) return s;
    call_options = ToPrefetchOptions(*options);
    prefetch = &call_options;
  }
  // A walk never returns more than kMaxPrefetchResults, nor the start-set
  // release, so any capacity and options fit the stack buffer: no heap,
  // whatever the caller asks.
  size_t walk = std::min<size_t>(prefetch->max_results, kMaxPrefetchResults);
  size_t follow = std::min<size_t>(prefetch->start_follow, kMaxPrefetchResults);
  size_t limit = std::min(capacity, walk + follow);

  // Raw storage, not Prediction[N]: constructing N predictions would zero
  // them on every call. Prediction is an implicit-lifetime aggregate, so the
  // engine's assignments create the objects it writes.
  alignas(Prediction) unsigned char stack[sizeof(Prediction) * 2 * kMaxPrefetchResults];
  Prediction* predictions = reinterpret_cast<Prediction*>(stack);
  size_t found =
      object->engine->Prefetch(BlobHash::FromBytes(hash->bytes), *prefetch, predictions, limit);
  for (size_t i = 0; i < found; ++i) {
    std::memcpy(out_hashes[i].bytes, predictions[i].hash.data(), BLOBGRAPH_HASH_SIZE);
  }
  if (out_probabilities != nullptr) {
    for (size_t i = 0; i < found; ++i) out_probabilities[i] = predictions[i].probability;
  }
  *count = found;
  return BLOBGRAPH_OK;
}

blobgraph_status blobgraph_start_set(blobgraph_engine* engine, size_t max, blobgraph_hash* out,
                                     size_t* count) {
  static constexpr const char* kFunction = "blobgraph_start_set";
  EngineObject* object = LookupEngine(engine);
  if (object == nullptr) return ClosedHandle(kFunction, "engine");
  if (count == nullptr) return NullArgument(kFunction, "count");
  *count = 0;
  if (out == nullptr && max > 0) return NullArgument(kFunction, "out");
  // blobgraph_hash and BlobHash are both exactly 32 bytes of hash, no padding.
  static_assert(sizeof(blobgraph_hash) == sizeof(BlobHash));
  *count = object->engine->StartSet(max, reinterpret_cast<BlobHash*>(out));
  return BLOBGRAPH_OK;
}

blobgraph_status blobgraph_engine_flush(blobgraph_engine* engine) {
  static constexpr const char* kFunction = "blobgraph_engine_flush";
  return Guard(kFunction, [&] {
    EngineObject* object = LookupEngine(engine);
    if (object == nullptr) return ClosedHandle(kFunction, "engine");
    return FromStatus(object->engine->Flush());
  });
}

blobgraph_status blobgraph_engine_refresh(blobgraph_engine* engine) {
  static constexpr const char* kFunction = "blobgraph_engine_refresh";
  return Guard(kFunction, [&] {
    EngineObject* object = LookupEngine(engine);
    if (object == nullptr) return ClosedHandle(kFunction, "engine");
    return FromStatus(object->engine->Refresh());
  });
}

blobgraph_status blobgraph_engine_stats(blobgraph_engine* engine,
                                        blobgraph_feedback_stats* this_engine,
                                        blobgraph_feedback_stats* all_engines,
                                        blobgraph_snapshot_info* snapshot) {
  static constexpr const char* kFunction = "blobgraph_engine_stats";
  return Guard(kFunction, [&] {
    EngineObject* object = LookupEngine(engine);
    if (object == nullptr) return ClosedHandle(kFunction, "engine");
    if (this_engine != nullptr) WriteFeedback(object->engine->Stats(), this_engine);
    if (all_engines != nullptr) WriteFeedback(object->engine->TotalStats(), all_engines);
    if (snapshot != nullptr) {
      SnapshotInfo info = object->engine->Snapshot();
      snapshot->version = info.version;
      snapshot->functions = info.functions;
      snapshot->edges = info.edges;
      snapshot->bytes = info.bytes;
      snapshot->build_seconds = info.build_seconds;
    }
    return BLOBGRAPH_OK;
  });
}

}  // extern "C"
