#include "blobgraph/dependency_io.h"
#include "formats/open_input.h"

#include <algorithm>
#include <vector>

#include "formats/file_io.h"
#include "formats/text_format.h"
#include "schema/input_file.h"
#include "schema/stream_codec.h"

namespace blobgraph::formats {
namespace {

// Gathers the call sites of one caller at a time and appends one EdgeDelta
// per distinct callee (in callee order) when the caller changes, so repeats
// within a caller's run of entries cost one edge, not one per call site.
class CallerEdges {
 public:
  CallerEdges(GraphUpdate& update, CountKind kind) : update_(update), kind_(kind) {}

  void Add(const BlobHash& caller, const BlobHash& callee, uint64_t count) {
    if (!pending_.empty() && caller != caller_) Flush();
    caller_ = caller;
    pending_.push_back({callee, count});
  }

  void Flush() {
    if (pending_.empty()) return;
    if (pending_.size() > 1) {
      std::sort(pending_.begin(), pending_.end(),
                [](const Site& a, const Site& b) { return a.callee < b.callee; });
    }
    for (size_t i = 0; i < pending_.size();) {
      uint64_t count = 0;
      size_t j = i;
      for (; j < pending_.size() && pending_[j].callee == pending_[i].callee; ++j) {
        count += pending_[j].count;
      }
      EdgeDelta& edge = update_.edges.emplace_back(EdgeDelta{caller_, pending_[i].callee, 0, 0});
      (kind_ == CountKind::kStatic ? edge.static_count : edge.dynamic_count) = count;
      i = j;
    }
    pending_.clear();
  }

 private:
  struct Site {
    BlobHash callee;
    uint64_t count;
  };
  GraphUpdate& update_;
  CountKind kind_;
  BlobHash caller_;
  std::vector<Site> pending_;
};

// Reserves room for the most edges a file of this size can hold, so the edge
// vector never reallocates (a reallocation holds old and new copies at once).
// Only the pages written become resident. Pipes and gzip have no size: the
// vector grows as usual.
void ReserveEdges(const schema::InputFile& input, size_t min_bytes_per_edge, GraphUpdate& update) {
  if (input.size_hint() == 0) return;
  constexpr uint64_t kMaxReserved = uint64_t{64} << 20;  // edges; ~5 GiB of address space
  update.edges.reserve(std::min<uint64_t>(input.size_hint() / min_bytes_per_edge, kMaxReserved));
}

Result<bool> StartsWithStream(schema::InputFile& input) {
  auto prefix = internal::PeekPrefix(input);
  if (!prefix.ok()) return prefix.status();
  return schema::LooksLikeStream(*prefix);
}

Status LoadText(schema::InputFile& input, CountKind kind, DependencyImport& out) {
  const std::string& path = input.name();
  // The shortest edge line: two hashes, a space and a newline.
  ReserveEdges(input, 2 * BlobHash::kHexSize + 2, out.update);
  CallerEdges edges(out.update, kind);
  BLOBGRAPH_RETURN_IF_ERROR(ReadTextRecords(input, [&](const TextRecord& record) {
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
    edges.Add(record.caller, *record.callee, record.count);
    return Status::Ok();
  }));
  edges.Flush();
  return Status::Ok();
}

Status LoadCapnp(schema::InputFile& input, CountKind kind, DependencyImport& out) {
  // A call site is at least a 32-byte Data blob and its 8-byte list pointer.
  ReserveEdges(input, BlobHash::kSize + 8, out.update);
  CallerEdges edges(out.update, kind);
  schema::StreamVisitor visitor;
  visitor.on_functions = [&](std::span<const schema::FunctionDeps> functions) {
    for (const schema::FunctionDeps& function : functions) {
      ++out.records;
      if (!function.name.empty()) out.update.names.emplace_back(function.hash, function.name);
      if (function.callees.empty()) out.update.functions.push_back(function.hash);
      for (const BlobHash& callee : function.callees) edges.Add(function.hash, callee, 1);
      out.call_sites += function.callees.size();
    }
    return Status::Ok();
  };
  BLOBGRAPH_RETURN_IF_ERROR(
      schema::ReadStream(input, schema::StreamContent::kDependencies, visitor));
  edges.Flush();
  return Status::Ok();
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

Result<DependencyImport> LoadDependencies(schema::InputFile& input, DependencyFormat format,
                                          CountKind kind) {
  if (format == DependencyFormat::kAuto) {
    auto is_stream = StartsWithStream(input);
    if (!is_stream.ok()) return is_stream.status();
    format = *is_stream ? DependencyFormat::kCapnp : DependencyFormat::kText;
  }
  DependencyImport out;
  Status status =
      format == DependencyFormat::kCapnp ? LoadCapnp(input, kind, out) : LoadText(input, kind, out);
  if (!status.ok()) return status;
  return out;
}

Result<DependencyImport> LoadDependencies(const std::string& path, DependencyFormat format,
                                          CountKind kind) {
  auto input = schema::InputFile::Open(path);
  if (!input.ok()) return input.status();
  return LoadDependencies(**input, format, kind);
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
