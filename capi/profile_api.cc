// Import of dependency and profile files, export of profile files: the
// formats/ readers and writers applied to (or fed from) the store.
#include <string>

#include "blobgraph/dependency_io.h"
#include "blobgraph/profile_export.h"
#include "blobgraph/profile_io.h"
#include "capi/c_api_internal.h"

using namespace blobgraph;
using namespace blobgraph::capi;

namespace {

// The checks both exports share: an open store, a path, and a writer for
// `format` at `path` (a writing format: "auto" is only for reading).
blobgraph_status StartExport(const char* function, blobgraph_store* store, const char* path,
                             const char* format, StoreObject** object,
                             std::unique_ptr<formats::ProfileWriter>* out) {
  *object = LookupStore(store);
  if (*object == nullptr) return ClosedHandle(function, "store");
  if (path == nullptr) return NullArgument(function, "path");
  auto parsed = formats::ParseProfileFormat(format == nullptr ? "capnp" : format);
  if (!parsed.ok()) return FromStatus(parsed.status().WithContext(function));
  if (*parsed == formats::ProfileFormat::kAuto) {
    return Fail(
        BLOBGRAPH_INVALID_ARGUMENT,
        std::string(function) + ": format \"auto\" is for reading; use capnp, text or json");
  }
  auto writer = formats::OpenProfileWriter(path, *parsed);
  if (!writer.ok()) return FromStatus(writer.status());
  *out = std::move(writer).value();
  return BLOBGRAPH_OK;
}

}  // namespace

extern "C" {

blobgraph_status blobgraph_import_dependencies(blobgraph_store* store, const char* path,
                                               uint64_t* call_sites_out) {
  static constexpr const char* kFunction = "blobgraph_import_dependencies";
  return Guard(kFunction, [&] {
    StoreObject* object = LookupStore(store);
    if (object == nullptr) return ClosedHandle(kFunction, "store");
    if (path == nullptr) return NullArgument(kFunction, "path");
    auto loaded = formats::LoadDependencies(path);
    if (!loaded.ok()) return FromStatus(loaded.status());
    ApplyOptions apply;
    apply.method = WriteMethod::kAuto;
    if (auto s = FromStatus(object->store->Apply(loaded->update, apply))) return s;
    if (call_sites_out != nullptr) *call_sites_out = loaded->call_sites;
    return BLOBGRAPH_OK;
  });
}

blobgraph_status blobgraph_import_profile(blobgraph_store* store, const char* path, int force) {
  static constexpr const char* kFunction = "blobgraph_import_profile";
  return Guard(kFunction, [&] {
    StoreObject* object = LookupStore(store);
    if (object == nullptr) return ClosedHandle(kFunction, "store");
    if (path == nullptr) return NullArgument(kFunction, "path");
    auto profile = formats::ReadProfile(path);
    if (!profile.ok()) return FromStatus(profile.status());
    ApplyOptions apply;
    apply.force = force != 0;
    return FromStatus(object->store->Apply(*profile, apply));
  });
}

blobgraph_status blobgraph_export_profile(blobgraph_store* store, const char* path,
                                          const char* format) {
  static constexpr const char* kFunction = "blobgraph_export_profile";
  return Guard(kFunction, [&] {
    StoreObject* object = nullptr;
    std::unique_ptr<formats::ProfileWriter> writer;
    if (auto s = StartExport(kFunction, store, path, format, &object, &writer)) return s;
    if (object->store->options().read_only) {  // the abandoned writer leaves no file
      return Fail(BLOBGRAPH_INVALID_INPUT,
                  std::string(kFunction) + ": store " + object->path +
                      " was opened read-only: exporting marks the observations sent (a write); "
                      "blobgraph_export_graph writes the whole graph from a read-only store");
    }
    auto unsent = object->store->Unsent();
    if (!unsent.ok()) return FromStatus(unsent.status());
    GraphUpdate written;
    if (auto s = FromStatus(formats::WriteUnsentProfile(*unsent, writer.get(), 0, &written))) {
      return s;
    }
    // The file is complete (renamed into place and synced): only now are
    // its observations handed over.
    Status marked = object->store->MarkSent(written);
    if (!marked.ok()) {
      return FromStatus(
          marked.WithContext(std::string(kFunction) + ": " + path +
                             " holds the observations, but the store still counts them as unsent"));
    }
    return BLOBGRAPH_OK;
  });
}

blobgraph_status blobgraph_export_graph(blobgraph_store* store, const char* path,
                                        const char* format) {
  static constexpr const char* kFunction = "blobgraph_export_graph";
  return Guard(kFunction, [&] {
    StoreObject* object = nullptr;
    std::unique_ptr<formats::ProfileWriter> writer;
    if (auto s = StartExport(kFunction, store, path, format, &object, &writer)) return s;
    uint64_t edges = 0;
    return FromStatus(formats::WriteWholeGraph(*object->store, writer.get(), 0, {}, &edges));
  });
}

}  // extern "C"
