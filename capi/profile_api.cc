// Import of dependency and profile files, export of profile files: the
// formats/ readers and writers applied to (or fed from) the store.
#include <string>
#include <unordered_set>

#include "capi/c_api_internal.h"
#include "formats/dependency_io.h"
#include "formats/profile_io.h"

using namespace blobgraph;
using namespace blobgraph::capi;

namespace {

// Writes every edge, then every named function, then every function that
// only the node records know (declared, no edges, no name).
Status WriteProfile(const GraphStore& store, formats::ProfileWriter* writer) {
  BLOBGRAPH_RETURN_IF_ERROR(writer->Begin(ProfileInfo::NewForThisHost()));
  BLOBGRAPH_RETURN_IF_ERROR(
      store.ForEachCaller([&](const BlobHash& caller, std::span<const CalleeInfo> callees) {
        for (const CalleeInfo& callee : callees) {
          BLOBGRAPH_RETURN_IF_ERROR(writer->AddEdge(
              EdgeDelta{caller, callee.callee, callee.static_count, callee.dynamic_count}));
        }
        return Status::Ok();
      }));
  std::unordered_set<BlobHash> named;
  BLOBGRAPH_RETURN_IF_ERROR(store.ForEachName([&](const BlobHash& hash, std::string_view name) {
    named.insert(hash);
    return writer->AddFunction(hash, std::string(name));
  }));
  BLOBGRAPH_RETURN_IF_ERROR(store.ForEachNode([&](const NodeRecord& node) {
    if (node.callers != 0 || node.callees != 0 || named.count(node.hash)) return Status::Ok();
    return writer->AddFunction(node.hash, std::nullopt);
  }));
  return writer->Finish();
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
    StoreObject* object = LookupStore(store);
    if (object == nullptr) return ClosedHandle(kFunction, "store");
    if (path == nullptr) return NullArgument(kFunction, "path");
    auto parsed = formats::ParseProfileFormat(format == nullptr ? "capnp" : format);
    if (!parsed.ok()) return FromStatus(parsed.status().WithContext(kFunction));
    if (*parsed == formats::ProfileFormat::kAuto) {
      return Fail(BLOBGRAPH_INVALID_ARGUMENT,
                  std::string(kFunction) + ": format \"auto\" is for reading; use capnp, text or json");
    }
    auto writer = formats::OpenProfileWriter(path, *parsed);
    if (!writer.ok()) return FromStatus(writer.status());
    return FromStatus(WriteProfile(*object->store, writer->get()));
  });
}

}  // extern "C"
