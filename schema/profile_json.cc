#include "schema/profile_json.h"

#include <capnp/compat/json.h>
#include <capnp/message.h>

#include <vector>

#include "schema/blobgraph.capnp.h"
#include "schema/capnp_convert.h"
#include "schema/capnp_errors.h"
#include "schema/input_file.h"
#include "schema/json_exact_integers.h"
#include "schema/output_file.h"

namespace blobgraph::schema {
namespace {

constexpr size_t kEncodeChunk = 4096;

// Encodes a list through the codec and drops its brackets, so chunks can be
// joined into one JSON array.
template <typename List>
std::string EncodeListBody(const capnp::JsonCodec& codec, List list) {
  kj::String text = codec.encode(list);
  std::string_view view(text.cStr(), text.size());
  if (view.size() >= 2) view = view.substr(1, view.size() - 2);
  return std::string(view);
}

}  // namespace

struct JsonProfileWriter::Impl {
  std::string path;
  // Destroyed unfinished, the OutputFile removes its temporary file quietly.
  std::unique_ptr<OutputFile> out;
  capnp::JsonCodec codec;
  std::vector<EdgeDelta> edges;
  std::vector<NamedHash> functions;
  std::vector<LoadWeights> loads;
  std::optional<uint64_t> run_weight;
  bool wrote_edge = false;
  bool finished = false;

  Status Put(std::string_view text) { return out->Write(text); }

  Status Guard(const std::function<Status()>& body) {
    return GuardCapnp(
        Status::Code::kIOError, [this] { return path + ": JSON encoding failed"; }, body);
  }

  Status FlushEdges() {
    if (edges.empty()) return Status::Ok();
    std::string body;
    BLOBGRAPH_RETURN_IF_ERROR(Guard([&] {
      capnp::MallocMessageBuilder message;
      auto list = message.initRoot<JsonProfile>().initEdges(edges.size());
      for (size_t i = 0; i < edges.size(); ++i) {
        list[i].setCaller(edges[i].caller.ToHex());
        list[i].setCallee(edges[i].callee.ToHex());
        list[i].setStaticCount(edges[i].static_count);
        list[i].setDynamicCount(edges[i].dynamic_count);
      }
      body = EncodeListBody(codec, list.asReader());
      return Status::Ok();
    }));
    edges.clear();
    if (wrote_edge) BLOBGRAPH_RETURN_IF_ERROR(Put(","));
    wrote_edge = true;
    return Put(body);
  }

  Status WriteFunctions() {
    for (size_t start = 0; start < functions.size(); start += kEncodeChunk) {
      size_t count = std::min(kEncodeChunk, functions.size() - start);
      std::string body;
      BLOBGRAPH_RETURN_IF_ERROR(Guard([&] {
        capnp::MallocMessageBuilder message;
        auto list = message.initRoot<JsonProfile>().initFunctions(count);
        for (size_t i = 0; i < count; ++i) {
          list[i].setHash(functions[start + i].hash.ToHex());
          list[i].setName(
              kj::StringPtr(functions[start + i].name.data(), functions[start + i].name.size()));
        }
        body = EncodeListBody(codec, list.asReader());
        return Status::Ok();
      }));
      if (start > 0) BLOBGRAPH_RETURN_IF_ERROR(Put(","));
      BLOBGRAPH_RETURN_IF_ERROR(Put(body));
    }
    return Status::Ok();
  }

  Status WriteLoads() {
    for (size_t start = 0; start < loads.size(); start += kEncodeChunk) {
      size_t count = std::min(kEncodeChunk, loads.size() - start);
      std::string body;
      BLOBGRAPH_RETURN_IF_ERROR(Guard([&] {
        capnp::MallocMessageBuilder message;
        auto list = message.initRoot<JsonProfile>().initLoads(count);
        for (size_t i = 0; i < count; ++i) {
          list[i].setHash(loads[start + i].hash.ToHex());
          list[i].setRunWeight(loads[start + i].run_weight);
          list[i].setPositionWeight(loads[start + i].position_weight);
        }
        body = EncodeListBody(codec, list.asReader());
        return Status::Ok();
      }));
      if (start > 0) BLOBGRAPH_RETURN_IF_ERROR(Put(","));
      BLOBGRAPH_RETURN_IF_ERROR(Put(body));
    }
    return Status::Ok();
  }
};

JsonProfileWriter::JsonProfileWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonProfileWriter::~JsonProfileWriter() = default;

Result<std::unique_ptr<JsonProfileWriter>> JsonProfileWriter::Open(const std::string& path,
                                                                   const ProfileInfo& profile) {
  auto out = OutputFile::Open(path);
  if (!out.ok()) return out.status();
  return Open(std::move(*out), profile);
}

Result<std::unique_ptr<JsonProfileWriter>> JsonProfileWriter::Open(std::unique_ptr<OutputFile> out,
                                                                   const ProfileInfo& profile) {
  auto impl = std::make_unique<Impl>();
  impl->path = out->path();
  impl->out = std::move(out);
  const std::string& path = impl->path;
  // The identity goes first, encoded by the codec as a JsonProfile without
  // lists; its closing brace is dropped and the lists follow.
  std::string head;
  BLOBGRAPH_RETURN_IF_ERROR(impl->Guard([&] {
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<JsonProfile>();
    root.setFormat(K_JSON_PROFILE_FORMAT.get());
    root.setVersion(K_FORMAT_VERSION);
    root.setId(profile.IdHex());
    root.setSourceHost(profile.source_host);
    root.setCreatedUnixMs(profile.created_unix_ms);
    kj::String text = impl->codec.encode(root.asReader());
    head.assign(text.cStr(), text.size());
    return Status::Ok();
  }));
  if (head.empty() || head.back() != '}') {
    return Status::IOError(path + ": JSON encoding of the profile header failed");
  }
  head.pop_back();
  // The codec writes every scalar, the run weight too (as "0"); it is known
  // only at Finish(), which writes it last, so it goes from the head.
  static constexpr std::string_view kUnsetRunWeight = ",\"runWeight\":\"0\"";
  size_t unset = head.rfind(kUnsetRunWeight);
  if (unset == std::string::npos) {
    return Status::IOError(path + ": JSON encoding of the profile header has no run weight");
  }
  head.erase(unset, kUnsetRunWeight.size());
  head += ",\"edges\":[";
  BLOBGRAPH_RETURN_IF_ERROR(impl->Put(head));
  return std::unique_ptr<JsonProfileWriter>(new JsonProfileWriter(std::move(impl)));
}

Status JsonProfileWriter::AddEdge(const EdgeDelta& edge) {
  if (impl_->finished) return Status::InvalidInput(impl_->path + ": AddEdge after Finish()");
  impl_->edges.push_back(edge);
  if (impl_->edges.size() == kEncodeChunk) return impl_->FlushEdges();
  return Status::Ok();
}

Status JsonProfileWriter::AddFunction(const BlobHash& hash, std::string_view name) {
  if (impl_->finished) return Status::InvalidInput(impl_->path + ": AddFunction after Finish()");
  BLOBGRAPH_RETURN_IF_ERROR(CheckName(impl_->path, hash, name));
  impl_->functions.push_back({hash, std::string(name)});
  return Status::Ok();
}

Status JsonProfileWriter::AddLoad(const LoadWeights& load) {
  if (impl_->finished) return Status::InvalidInput(impl_->path + ": AddLoad after Finish()");
  impl_->loads.push_back(load);
  return Status::Ok();
}

Status JsonProfileWriter::SetRunWeight(uint64_t run_weight) {
  if (impl_->finished) return Status::InvalidInput(impl_->path + ": SetRunWeight after Finish()");
  if (impl_->run_weight) return Status::InvalidInput(impl_->path + ": run weight set twice");
  impl_->run_weight = run_weight;
  return Status::Ok();
}

Status JsonProfileWriter::Finish() {
  if (impl_->finished) return Status::InvalidInput(impl_->path + ": Finish() called twice");
  impl_->finished = true;
  BLOBGRAPH_RETURN_IF_ERROR(impl_->FlushEdges());
  BLOBGRAPH_RETURN_IF_ERROR(impl_->Put("],\"functions\":["));
  BLOBGRAPH_RETURN_IF_ERROR(impl_->WriteFunctions());
  BLOBGRAPH_RETURN_IF_ERROR(impl_->Put("],\"loads\":["));
  BLOBGRAPH_RETURN_IF_ERROR(impl_->WriteLoads());
  // A string, as the codec writes 64-bit fields (exact beyond 2^53).
  BLOBGRAPH_RETURN_IF_ERROR(
      impl_->Put("],\"runWeight\":\"" + std::to_string(impl_->run_weight.value_or(0)) + "\"}\n"));
  return impl_->out->Commit();
}

namespace {

Result<BlobHash> ParseHash(const std::string& path, const char* list, size_t index,
                           const char* field, capnp::Text::Reader text) {
  auto hash = BlobHash::Parse(std::string_view(text.cStr(), text.size()));
  if (!hash.ok()) {
    return Status::InvalidInput(path + ": " + EntryName(list, index) + ": " + field + " " +
                                hash.status().message());
  }
  return hash;
}

Status VisitDocument(const std::string& path, JsonProfile::Reader root,
                     const StreamVisitor& visitor) {
  if (root.getFormat() != K_JSON_PROFILE_FORMAT.get()) {
    return Status::InvalidInput(path + ": not a blobgraph JSON profile: format is '" +
                                std::string(root.getFormat().cStr()).substr(0, 40) +
                                "', expected '" + K_JSON_PROFILE_FORMAT.get().cStr() + "'");
  }
  uint32_t version = root.getVersion();
  if (version < K_FORMAT_VERSION_BASE || version > K_FORMAT_VERSION) {
    return Status::InvalidInput(path + ": unsupported profile version " + std::to_string(version) +
                                ", expected " + std::to_string(K_FORMAT_VERSION_BASE) + " to " +
                                std::to_string(K_FORMAT_VERSION));
  }
  if (version < K_FORMAT_VERSION && (root.hasLoads() || root.getRunWeight() != 0)) {
    return Status::InvalidInput(path + ": " + (root.hasLoads() ? "loads" : "runWeight") +
                                " in a version " + std::to_string(version) +
                                " profile (load statistics came with version " +
                                std::to_string(K_FORMAT_VERSION) + ")");
  }
  auto id = ProfileInfo::ParseId(std::string_view(root.getId().cStr(), root.getId().size()));
  if (!id.ok()) return Status::InvalidInput(path + ": id: " + id.status().message());
  ProfileInfo profile{*id, std::string(root.getSourceHost().cStr(), root.getSourceHost().size()),
                      root.getCreatedUnixMs()};
  if (visitor.on_header) {
    BLOBGRAPH_RETURN_IF_ERROR(visitor.on_header(StreamContent::kProfile, profile));
  }
  std::vector<EdgeDelta> edges;
  auto edge_list = root.getEdges();
  for (size_t i = 0; i < edge_list.size(); ++i) {
    auto caller = ParseHash(path, "edges", i, "caller", edge_list[i].getCaller());
    if (!caller.ok()) return caller.status();
    auto callee = ParseHash(path, "edges", i, "callee", edge_list[i].getCallee());
    if (!callee.ok()) return callee.status();
    edges.push_back(
        {*caller, *callee, edge_list[i].getStaticCount(), edge_list[i].getDynamicCount()});
    if (edges.size() == K_MAX_CHUNK_ENTRIES || i + 1 == edge_list.size()) {
      if (visitor.on_edges) BLOBGRAPH_RETURN_IF_ERROR(visitor.on_edges(edges));
      edges.clear();
    }
  }
  std::vector<NamedHash> names;
  auto function_list = root.getFunctions();
  for (size_t i = 0; i < function_list.size(); ++i) {
    auto hash = ParseHash(path, "functions", i, "function", function_list[i].getHash());
    if (!hash.ok()) return hash.status();
    names.push_back(
        {*hash, std::string(function_list[i].getName().cStr(), function_list[i].getName().size())});
    if (names.size() == K_MAX_CHUNK_ENTRIES || i + 1 == function_list.size()) {
      if (visitor.on_names) BLOBGRAPH_RETURN_IF_ERROR(visitor.on_names(names));
      names.clear();
    }
  }
  std::vector<LoadWeights> loads;
  auto load_list = root.getLoads();
  for (size_t i = 0; i < load_list.size(); ++i) {
    auto hash = ParseHash(path, "loads", i, "function", load_list[i].getHash());
    if (!hash.ok()) return hash.status();
    LoadWeights load{*hash, load_list[i].getRunWeight(), load_list[i].getPositionWeight()};
    Status checked = CheckLoad(load);
    if (!checked.ok()) return checked.WithContext(path + ": " + EntryName("loads", i));
    loads.push_back(load);
    if (loads.size() == K_MAX_CHUNK_ENTRIES || i + 1 == load_list.size()) {
      if (visitor.on_loads) BLOBGRAPH_RETURN_IF_ERROR(visitor.on_loads(loads));
      loads.clear();
    }
  }
  if (version >= K_FORMAT_VERSION && visitor.on_run_weight) {
    BLOBGRAPH_RETURN_IF_ERROR(visitor.on_run_weight(root.getRunWeight()));
  }
  return Status::Ok();
}

}  // namespace

Status ReadJsonProfile(InputFile& input, const StreamVisitor& visitor) {
  const std::string& path = input.name();
  auto text = input.ReadAll();
  if (!text.ok()) return text.status();
  Status exact = QuoteLargeIntegers(&*text);
  if (!exact.ok()) return exact.WithContext(path);
  return GuardCapnp(
      Status::Code::kInvalidInput, [&] { return path + ": malformed JSON profile"; },
      [&] {
        capnp::JsonCodec codec;
        capnp::MallocMessageBuilder message;
        auto root = message.initRoot<JsonProfile>();
        codec.decode(kj::ArrayPtr<const char>(text->data(), text->size()), root);
        return VisitDocument(path, root.asReader(), visitor);
      });
}

Status ReadJsonProfile(const std::string& path, const StreamVisitor& visitor) {
  auto input = InputFile::Open(path);
  if (!input.ok()) return input.status();
  return ReadJsonProfile(**input, visitor);
}

}  // namespace blobgraph::schema
