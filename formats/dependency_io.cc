#include "formats/dependency_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "formats/text_format.h"
#include "schema/stream_codec.h"

namespace blobgraph::formats {
namespace {

// Appends one edge, summing into the previous entry when it is the same edge.
void AddEdge(GraphUpdate& update, const BlobHash& caller, const BlobHash& callee,
             uint64_t count, CountKind kind) {
  if (update.edges.empty() || update.edges.back().caller != caller ||
      update.edges.back().callee != callee) {
    update.edges.push_back({caller, callee, 0, 0});
  }
  EdgeDelta& edge = update.edges.back();
  (kind == CountKind::kStatic ? edge.static_count : edge.dynamic_count) += count;
}

Result<bool> StartsWithStream(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  uint8_t prefix[4096];
  ssize_t n;
  do {
    n = ::pread(fd, prefix, sizeof(prefix), 0);
  } while (n < 0 && errno == EINTR);
  int saved = errno;
  ::close(fd);
  if (n < 0) return Status::IOError(path + ": read failed: " + std::strerror(saved));
  return schema::LooksLikeStream(std::span<const uint8_t>(prefix, static_cast<size_t>(n)));
}

Status LoadText(const std::string& path, CountKind kind, DependencyImport& out) {
  return ReadTextRecords(path, [&](const TextRecord& record) {
    ++out.records;
    if (!record.callee) {
      out.update.functions.push_back(record.caller);
      return Status::Ok();
    }
    if (out.call_sites + record.count < out.call_sites) {
      return Status::InvalidInput(path + ": line " + std::to_string(record.line) +
                                  ": call-site total overflows 64 bits");
    }
    out.call_sites += record.count;
    AddEdge(out.update, record.caller, *record.callee, record.count, kind);
    return Status::Ok();
  });
}

Status LoadCapnp(const std::string& path, CountKind kind, DependencyImport& out) {
  schema::StreamVisitor visitor;
  visitor.on_functions = [&](std::span<const schema::FunctionDeps> functions) {
    for (const schema::FunctionDeps& function : functions) {
      ++out.records;
      if (!function.name.empty()) out.update.names.emplace_back(function.hash, function.name);
      if (function.callees.empty()) out.update.functions.push_back(function.hash);
      for (const BlobHash& callee : function.callees) {
        AddEdge(out.update, function.hash, callee, 1, kind);
      }
      out.call_sites += function.callees.size();
    }
    return Status::Ok();
  };
  return schema::ReadStream(path, schema::StreamContent::kDependencies, visitor);
}

class TextDependencyWriter : public DependencyWriter {
 public:
  explicit TextDependencyWriter(std::unique_ptr<TextWriter> writer) : writer_(std::move(writer)) {}
  Status AddFunction(const BlobHash& hash, std::string_view name,
                     std::span<const BlobHash> callees) override {
    if (!name.empty() && name.find('\n') == std::string_view::npos) {
      BLOBGRAPH_RETURN_IF_ERROR(writer_->WriteComment(hash.ToHex() + " " + std::string(name)));
    }
    if (callees.empty()) return writer_->WriteDeclaration(hash);
    for (size_t i = 0; i < callees.size();) {
      size_t run = 1;
      while (i + run < callees.size() && callees[i + run] == callees[i]) ++run;
      BLOBGRAPH_RETURN_IF_ERROR(writer_->WriteEdge(hash, callees[i], run));
      i += run;
    }
    return Status::Ok();
  }
  Status Finish() override { return writer_->Finish(); }

 private:
  std::unique_ptr<TextWriter> writer_;
};

class CapnpDependencyWriter : public DependencyWriter {
 public:
  explicit CapnpDependencyWriter(std::unique_ptr<schema::StreamWriter> writer)
      : writer_(std::move(writer)) {}
  Status AddFunction(const BlobHash& hash, std::string_view name,
                     std::span<const BlobHash> callees) override {
    return writer_->AddFunction(hash, name, callees);
  }
  Status Finish() override { return writer_->Finish(); }

 private:
  std::unique_ptr<schema::StreamWriter> writer_;
};

}  // namespace

Result<DependencyImport> LoadDependencies(const std::string& path, DependencyFormat format,
                                          CountKind kind) {
  if (format == DependencyFormat::kAuto) {
    auto is_stream = StartsWithStream(path);
    if (!is_stream.ok()) return is_stream.status();
    format = *is_stream ? DependencyFormat::kCapnp : DependencyFormat::kText;
  }
  DependencyImport out;
  Status status = format == DependencyFormat::kCapnp ? LoadCapnp(path, kind, out)
                                                     : LoadText(path, kind, out);
  if (!status.ok()) return status;
  return out;
}

Result<std::unique_ptr<DependencyWriter>> DependencyWriter::Open(const std::string& path,
                                                                 DependencyFormat format) {
  if (format == DependencyFormat::kText) {
    auto writer = TextWriter::Open(path);
    if (!writer.ok()) return writer.status();
    return std::unique_ptr<DependencyWriter>(new TextDependencyWriter(std::move(*writer)));
  }
  if (format == DependencyFormat::kCapnp) {
    auto writer = schema::StreamWriter::Open(path, schema::StreamContent::kDependencies);
    if (!writer.ok()) return writer.status();
    return std::unique_ptr<DependencyWriter>(new CapnpDependencyWriter(std::move(*writer)));
  }
  return Status::InvalidInput(path + ": a dependency writer needs a format (text or capnp)");
}

}  // namespace blobgraph::formats
