#include "schema/stream_codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/io.h>

#include "schema/blobgraph.capnp.h"
#include "schema/capnp_convert.h"
#include "schema/capnp_errors.h"
#include "schema/output_file.h"
#include "schema/reader_limits.h"

namespace blobgraph::schema {
namespace {

StreamKind ToWire(StreamContent content) {
  switch (content) {
    case StreamContent::kDependencies:
      return StreamKind::DEPENDENCIES;
    case StreamContent::kProfile:
      return StreamKind::PROFILE;
    case StreamContent::kTrace:
      return StreamKind::TRACE;
  }
  return StreamKind::TRACE;
}

// capnp::writeMessage's sink: hands the bytes to the OutputFile, which keeps
// the first write error for Finish() to report. Never throws, so no write
// failure can surface as an exception (let alone from a destructor).
class OutputFileSink : public kj::OutputStream {
 public:
  explicit OutputFileSink(OutputFile& out) : out_(out) {}
  void write(const void* buffer, size_t size) override {
    (void)out_.Write(std::string_view(static_cast<const char*>(buffer), size));
  }

 private:
  OutputFile& out_;
};

}  // namespace

Status CheckName(const std::string& path, const BlobHash& hash, std::string_view name) {
  if (name.find('\0') != std::string_view::npos) {
    return Status::InvalidInput(path + ": name of " + hash.ToHex() +
                                " holds a NUL byte, which Cap'n Proto Text cannot carry");
  }
  return Status::Ok();
}

const char* StreamContentName(StreamContent content) {
  switch (content) {
    case StreamContent::kDependencies:
      return "dependencies";
    case StreamContent::kProfile:
      return "profile";
    case StreamContent::kTrace:
      return "trace";
  }
  return "unknown";
}

// ---------------------------------------------------------------- writer

struct StreamWriter::Impl {
  std::string path;
  StreamContent content;
  // Destroyed unfinished, the OutputFile removes its temporary file quietly.
  std::unique_ptr<OutputFile> out;
  uint64_t entries = 0;
  bool finished = false;
  // Pending chunk entries, written when a chunk fills or at Finish().
  std::vector<FunctionDeps> functions;
  size_t pending_call_sites = 0;
  std::vector<EdgeDelta> edges;
  std::vector<NamedHash> names;
  std::vector<TraceEvent> events;
  std::vector<LoadWeights> loads;
  std::optional<uint64_t> run_weight;

  Status Guard(const std::function<Status()>& body) {
    return GuardCapnp(
        Status::Code::kIOError, [this] { return path + ": write failed"; }, body);
  }

  Status Write(capnp::MessageBuilder& message) {
    BLOBGRAPH_RETURN_IF_ERROR(Guard([&] {
      OutputFileSink sink(*out);
      capnp::writeMessage(sink, message);
      return Status::Ok();
    }));
    return out->Write({});  // the first write error, if any
  }

  Status FlushFunctions() {
    if (functions.empty()) return Status::Ok();
    capnp::MallocMessageBuilder message;
    auto list = message.initRoot<StreamMessage>().initFunctions(functions.size());
    for (size_t i = 0; i < functions.size(); ++i) EncodeFunction(functions[i], list[i]);
    functions.clear();
    pending_call_sites = 0;
    return Write(message);
  }

  Status FlushEdges() {
    if (edges.empty()) return Status::Ok();
    capnp::MallocMessageBuilder message;
    EncodeEdges(edges, message.initRoot<StreamMessage>().initEdges(edges.size()));
    edges.clear();
    return Write(message);
  }

  Status FlushNames() {
    if (names.empty()) return Status::Ok();
    capnp::MallocMessageBuilder message;
    EncodeNames(names, message.initRoot<StreamMessage>().initNames(names.size()));
    names.clear();
    return Write(message);
  }

  Status FlushEvents() {
    if (events.empty()) return Status::Ok();
    capnp::MallocMessageBuilder message;
    EncodeEvents(events, message.initRoot<StreamMessage>().initEvents(events.size()));
    events.clear();
    return Write(message);
  }

  Status FlushLoads() {
    if (loads.empty()) return Status::Ok();
    capnp::MallocMessageBuilder message;
    EncodeLoads(loads, message.initRoot<StreamMessage>().initLoads(loads.size()));
    loads.clear();
    return Write(message);
  }

  Status WriteRunWeight() {
    if (!run_weight) return Status::Ok();
    capnp::MallocMessageBuilder message;
    message.initRoot<StreamMessage>().setRunWeight(*run_weight);
    return Write(message);
  }

  Status CheckKind(StreamContent wanted, const char* what) const {
    if (finished) return Status::InvalidInput(path + ": " + what + " after Finish()");
    if (content != wanted) {
      return Status::InvalidInput(path + ": cannot add " + what + " to a " +
                                  StreamContentName(content) + " stream");
    }
    return Status::Ok();
  }
};

StreamWriter::StreamWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StreamWriter::~StreamWriter() = default;

Result<std::unique_ptr<StreamWriter>> StreamWriter::Open(
    const std::string& path, StreamContent content, const std::optional<ProfileInfo>& profile) {
  if ((content == StreamContent::kProfile) != profile.has_value()) {
    return Status::InvalidInput(path + ": a profile stream needs a profile identity, others none");
  }
  auto out = OutputFile::Open(path);
  if (!out.ok()) return out.status();
  return Open(std::move(*out), content, profile);
}

Result<std::unique_ptr<StreamWriter>> StreamWriter::Open(
    std::unique_ptr<OutputFile> out, StreamContent content,
    const std::optional<ProfileInfo>& profile) {
  auto impl = std::make_unique<Impl>();
  impl->path = out->path();
  impl->content = content;
  impl->out = std::move(out);
  if ((content == StreamContent::kProfile) != profile.has_value()) {
    return Status::InvalidInput(impl->path +
                                ": a profile stream needs a profile identity, others none");
  }
  capnp::MallocMessageBuilder message;
  Status status = impl->Guard([&] {
    auto header = message.initRoot<StreamMessage>().initHeader();
    header.setMagic(K_FORMAT_MAGIC.get());
    // Only profiles changed in version 2; the other kinds stay readable by
    // version 1 readers.
    header.setVersion(content == StreamContent::kProfile ? K_FORMAT_VERSION
                                                         : K_FORMAT_VERSION_BASE);
    header.setKind(ToWire(content));
    if (profile) EncodeIdentity(*profile, header.initProfile());
    return Status::Ok();
  });
  if (!status.ok()) return status;
  BLOBGRAPH_RETURN_IF_ERROR(impl->Write(message));
  return std::unique_ptr<StreamWriter>(new StreamWriter(std::move(impl)));
}

Status StreamWriter::AddFunction(const BlobHash& hash, std::string_view name,
                                 std::span<const BlobHash> callees) {
  BLOBGRAPH_RETURN_IF_ERROR(impl_->CheckKind(StreamContent::kDependencies, "a function"));
  BLOBGRAPH_RETURN_IF_ERROR(CheckName(impl_->path, hash, name));
  if (callees.size() > K_MAX_CHUNK_CALL_SITES) {
    return Status::InvalidInput(impl_->path + ": function " + hash.ToHex() + " has " +
                                std::to_string(callees.size()) + " call sites, at most " +
                                std::to_string(K_MAX_CHUNK_CALL_SITES) + " fit a stream");
  }
  if (impl_->functions.size() == K_MAX_CHUNK_ENTRIES ||
      impl_->pending_call_sites + callees.size() > K_MAX_CHUNK_CALL_SITES) {
    BLOBGRAPH_RETURN_IF_ERROR(impl_->FlushFunctions());
  }
  impl_->functions.push_back({hash, std::string(name), {callees.begin(), callees.end()}});
  impl_->pending_call_sites += callees.size();
  ++impl_->entries;
  return Status::Ok();
}

Status StreamWriter::AddEdge(const EdgeDelta& edge) {
  BLOBGRAPH_RETURN_IF_ERROR(impl_->CheckKind(StreamContent::kProfile, "an edge"));
  if (impl_->edges.size() == K_MAX_CHUNK_ENTRIES) BLOBGRAPH_RETURN_IF_ERROR(impl_->FlushEdges());
  impl_->edges.push_back(edge);
  ++impl_->entries;
  return Status::Ok();
}

Status StreamWriter::AddName(const BlobHash& hash, std::string_view name) {
  BLOBGRAPH_RETURN_IF_ERROR(impl_->CheckKind(StreamContent::kProfile, "a name"));
  BLOBGRAPH_RETURN_IF_ERROR(CheckName(impl_->path, hash, name));
  if (impl_->names.size() == K_MAX_CHUNK_ENTRIES) BLOBGRAPH_RETURN_IF_ERROR(impl_->FlushNames());
  impl_->names.push_back({hash, std::string(name)});
  ++impl_->entries;
  return Status::Ok();
}

Status StreamWriter::AddEvents(std::span<const TraceEvent> events) {
  BLOBGRAPH_RETURN_IF_ERROR(impl_->CheckKind(StreamContent::kTrace, "events"));
  for (const TraceEvent& event : events) {
    if (impl_->events.size() == K_MAX_CHUNK_ENTRIES) {
      BLOBGRAPH_RETURN_IF_ERROR(impl_->FlushEvents());
    }
    impl_->events.push_back(event);
  }
  impl_->entries += events.size();
  return Status::Ok();
}

Status StreamWriter::AddLoad(const LoadWeights& load) {
  BLOBGRAPH_RETURN_IF_ERROR(impl_->CheckKind(StreamContent::kProfile, "a load record"));
  if (impl_->loads.size() == K_MAX_CHUNK_ENTRIES) BLOBGRAPH_RETURN_IF_ERROR(impl_->FlushLoads());
  impl_->loads.push_back(load);
  ++impl_->entries;
  return Status::Ok();
}

Status StreamWriter::SetRunWeight(uint64_t run_weight) {
  BLOBGRAPH_RETURN_IF_ERROR(impl_->CheckKind(StreamContent::kProfile, "a run weight"));
  if (impl_->run_weight) return Status::InvalidInput(impl_->path + ": run weight set twice");
  impl_->run_weight = run_weight;
  ++impl_->entries;
  return Status::Ok();
}

Status StreamWriter::Finish() {
  if (impl_->finished) return Status::InvalidInput(impl_->path + ": Finish() called twice");
  impl_->finished = true;
  BLOBGRAPH_RETURN_IF_ERROR(impl_->FlushFunctions());
  BLOBGRAPH_RETURN_IF_ERROR(impl_->FlushEdges());
  BLOBGRAPH_RETURN_IF_ERROR(impl_->FlushNames());
  BLOBGRAPH_RETURN_IF_ERROR(impl_->FlushEvents());
  BLOBGRAPH_RETURN_IF_ERROR(impl_->FlushLoads());
  BLOBGRAPH_RETURN_IF_ERROR(impl_->WriteRunWeight());
  capnp::MallocMessageBuilder message;
  message.initRoot<StreamMessage>().initEnd().setEntries(impl_->entries);
  BLOBGRAPH_RETURN_IF_ERROR(impl_->Write(message));
  return impl_->out->Commit();
}

uint64_t StreamWriter::entries() const { return impl_->entries; }

}  // namespace blobgraph::schema
