// Fuzzes the Cap'n Proto stream reader (all kinds) and the JSON profile reader.
#include <cstdint>

#include "blobgraph/dependency_io.h"
#include "blobgraph/profile_io.h"
#include "formats/fuzz/fuzz_file.h"
#include "schema/stream_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blobgraph;
  std::string path = formats::fuzz::WriteInput(data, size, "capnp");
  schema::StreamVisitor visitor;
  uint64_t entries = 0;
  visitor.on_functions = [&](std::span<const schema::FunctionDeps> f) {
    entries += f.size();
    return Status::Ok();
  };
  visitor.on_edges = [&](std::span<const EdgeDelta> e) {
    entries += e.size();
    return Status::Ok();
  };
  visitor.on_names = [&](std::span<const schema::NamedHash> n) {
    entries += n.size();
    return Status::Ok();
  };
  visitor.on_events = [&](std::span<const schema::TraceEvent> e) {
    entries += e.size();
    return Status::Ok();
  };
  visitor.on_loads = [&](std::span<const LoadWeights> l) {
    entries += l.size();
    return Status::Ok();
  };
  visitor.on_run_weight = [&](uint64_t) {
    ++entries;
    return Status::Ok();
  };
  Status status = schema::ReadStream(path, std::nullopt, visitor);
  if (!status.ok() && status.message().rfind(path, 0) != 0) __builtin_trap();
  auto deps = formats::LoadDependencies(path, formats::DependencyFormat::kCapnp);
  auto json = formats::ReadProfile(path, formats::ProfileFormat::kJson);
  // The whole profile path: load checks and count sums (profile_counts.h).
  auto profile = formats::ReadProfile(path, formats::ProfileFormat::kCapnp);
  if (!profile.ok() && profile.status().message().rfind(path, 0) != 0) __builtin_trap();
  (void)deps;
  (void)json;
  return 0;
}
