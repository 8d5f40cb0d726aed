// blobgraph_store_*: opening, closing and reading a GraphStore through a handle.
#include <cstring>
#include <string>

#include "capi/c_api_internal.h"

using namespace blobgraph;
using namespace blobgraph::capi;

namespace {

// Converts the caller's options. struct_size must be this library's size:
// it catches a struct that was never initialised by blobgraph_store_options_init
// and, later, a program built against a different header.
blobgraph_status ReadStoreOptions(const char* function, const blobgraph_store_options* in,
                                  StoreOptions* out) {
  if (in == nullptr) return BLOBGRAPH_OK;
  if (in->struct_size != sizeof(blobgraph_store_options)) {
    return Fail(BLOBGRAPH_INVALID_ARGUMENT, std::string(function) + ": options.struct_size is " +
                                                std::to_string(in->struct_size) + ", expected " +
                                                std::to_string(sizeof(blobgraph_store_options)) +
                                                " (initialise with blobgraph_store_options_init)");
  }
  ProbabilityModel model;
  model.prior_weight = in->prior_weight;
  if (Status valid = ValidateProbabilityModel(model, std::string(function) + ": options");
      !valid.ok()) {
    return Fail(BLOBGRAPH_INVALID_ARGUMENT, valid.message());
  }
  out->create_if_missing = in->create_if_missing != 0;
  out->read_only = in->read_only != 0;
  out->sync_writes = in->sync_writes != 0;
  out->model.prior_weight = in->prior_weight;
  out->block_cache_bytes = static_cast<size_t>(in->block_cache_bytes);
  return BLOBGRAPH_OK;
}

}  // namespace

extern "C" {

blobgraph_status blobgraph_store_options_init(blobgraph_store_options* options) {
  if (options == nullptr) return NullArgument("blobgraph_store_options_init", "options");
  StoreOptions defaults;
  std::memset(options, 0, sizeof(*options));
  options->struct_size = sizeof(blobgraph_store_options);
  options->create_if_missing = defaults.create_if_missing ? 1 : 0;
  options->read_only = defaults.read_only ? 1 : 0;
  options->sync_writes = defaults.sync_writes ? 1 : 0;
  options->prior_weight = defaults.model.prior_weight;
  options->block_cache_bytes = defaults.block_cache_bytes;
  return BLOBGRAPH_OK;
}

blobgraph_status blobgraph_store_open(const char* path, const blobgraph_store_options* options,
                                      blobgraph_store** out) {
  static constexpr const char* kFunction = "blobgraph_store_open";
  if (out == nullptr) return NullArgument(kFunction, "out");
  *out = nullptr;
  if (path == nullptr) return NullArgument(kFunction, "path");
  return Guard(kFunction, [&] {
    StoreOptions store_options;
    if (blobgraph_status s = ReadStoreOptions(kFunction, options, &store_options)) return s;
    auto store = GraphStore::Open(path, store_options);
    if (!store.ok()) return FromStatus(store.status());
    auto object = std::make_unique<StoreObject>();
    object->store = std::move(*store);
    object->path = path;
    uintptr_t token = HandleTable::Get().Insert(object.get(), HandleKind::kStore);
    if (token == 0) {
      return Fail(BLOBGRAPH_INTERNAL,
                  std::string(kFunction) + ": " + path + ": too many open handles");
    }
    static_cast<void>(object.release());  // now owned by the handle table entry
    *out = reinterpret_cast<blobgraph_store*>(token);
    return BLOBGRAPH_OK;
  });
}

blobgraph_status blobgraph_store_close(blobgraph_store* store) {
  static constexpr const char* kFunction = "blobgraph_store_close";
  return Guard(kFunction, [&] {
    StoreObject* object = LookupStore(store);
    if (object == nullptr) return ClosedHandle(kFunction, "store");
    int64_t engines = object->open_engines.load(std::memory_order_acquire);
    if (engines > 0) {
      return Fail(BLOBGRAPH_BUSY, std::string(kFunction) + ": store " + object->path + ": " +
                                      std::to_string(engines) +
                                      " engine(s) still open on it; close them first");
    }
    HandleTable::Get().Remove(reinterpret_cast<uintptr_t>(store), HandleKind::kStore);
    delete object;  // closes the GraphStore
    return BLOBGRAPH_OK;
  });
}

blobgraph_status blobgraph_store_stats_get(blobgraph_store* store, blobgraph_store_stats* out) {
  static constexpr const char* kFunction = "blobgraph_store_stats_get";
  return Guard(kFunction, [&] {
    StoreObject* object = LookupStore(store);
    if (object == nullptr) return ClosedHandle(kFunction, "store");
    if (out == nullptr) return NullArgument(kFunction, "out");
    auto stats = object->store->Stats();
    if (!stats.ok()) return FromStatus(stats.status());
    out->functions = stats->functions;
    out->edges = stats->edges;
    out->static_total = stats->static_total;
    out->dynamic_total = stats->dynamic_total;
    out->bytes_on_disk = stats->bytes_on_disk;
    out->runs = stats->runs;
    out->profiles = stats->profiles;
    return BLOBGRAPH_OK;
  });
}

blobgraph_status blobgraph_flush(blobgraph_store* store) {
  static constexpr const char* kFunction = "blobgraph_flush";
  return Guard(kFunction, [&] {
    StoreObject* object = LookupStore(store);
    if (object == nullptr) return ClosedHandle(kFunction, "store");
    return FromStatus(object->store->Flush());
  });
}

}  // extern "C"
