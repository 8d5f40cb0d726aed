// The three TraceWriter implementations (formats described in trace_format.h).
#include <cstring>

#include "formats/text_format.h"
#include "formats/trace_format.h"
#include "schema/output_file.h"

namespace blobgraph::formats {
namespace {

class BinaryTraceWriter : public TraceWriter {
 public:
  explicit BinaryTraceWriter(std::unique_ptr<schema::OutputFile> out)
      : path_(out->path()), out_(std::move(out)) {}

  Status Add(std::span<const CallEvent> events) override {
    if (!out_) return Status::InvalidInput(path_ + ": write after Finish()");
    char record[kTraceRecordBytes];
    for (const CallEvent& event : events) {
      std::memcpy(record, event.caller.data(), BlobHash::kSize);
      std::memcpy(record + BlobHash::kSize, event.callee.data(), BlobHash::kSize);
      BLOBGRAPH_RETURN_IF_ERROR(out_->Write({record, sizeof(record)}));
    }
    return Status::Ok();
  }

  Status Finish() override {
    if (!out_) return Status::InvalidInput(path_ + ": Finish() called twice");
    std::unique_ptr<schema::OutputFile> out = std::move(out_);
    return out->Commit();
  }

 private:
  std::string path_;
  // Destroyed unfinished, the OutputFile removes its temporary file quietly.
  std::unique_ptr<schema::OutputFile> out_;
};

class TextTraceWriter : public TraceWriter {
 public:
  explicit TextTraceWriter(std::unique_ptr<TextWriter> writer) : writer_(std::move(writer)) {}
  Status Add(std::span<const CallEvent> events) override {
    for (const CallEvent& event : events) {
      BLOBGRAPH_RETURN_IF_ERROR(writer_->WriteEdge(event.caller, event.callee));
    }
    return Status::Ok();
  }
  Status Finish() override { return writer_->Finish(); }

 private:
  std::unique_ptr<TextWriter> writer_;
};

class CapnpTraceWriter : public TraceWriter {
 public:
  explicit CapnpTraceWriter(std::unique_ptr<schema::StreamWriter> writer)
      : writer_(std::move(writer)) {}
  Status Add(std::span<const CallEvent> events) override { return writer_->AddEvents(events); }
  Status Finish() override { return writer_->Finish(); }

 private:
  std::unique_ptr<schema::StreamWriter> writer_;
};

}  // namespace

Result<std::unique_ptr<TraceWriter>> TraceWriter::Open(const std::string& path,
                                                       TraceFormat format) {
  switch (format) {
    case TraceFormat::kBinary: {
      auto out = schema::OutputFile::Open(path);
      if (!out.ok()) return out.status();
      return std::unique_ptr<TraceWriter>(new BinaryTraceWriter(std::move(*out)));
    }
    case TraceFormat::kText: {
      auto writer = TextWriter::Open(path);
      if (!writer.ok()) return writer.status();
      return std::unique_ptr<TraceWriter>(new TextTraceWriter(std::move(*writer)));
    }
    case TraceFormat::kCapnp: {
      auto writer = schema::StreamWriter::Open(path, schema::StreamContent::kTrace);
      if (!writer.ok()) return writer.status();
      return std::unique_ptr<TraceWriter>(new CapnpTraceWriter(std::move(*writer)));
    }
    case TraceFormat::kAuto:
      break;
  }
  return Status::InvalidInput(path + ": a trace writer needs a format (text, binary or capnp)");
}

Status WriteTrace(const std::string& path, TraceFormat format, std::span<const CallEvent> events) {
  auto writer = TraceWriter::Open(path, format);
  if (!writer.ok()) return writer.status();
  BLOBGRAPH_RETURN_IF_ERROR((*writer)->Add(events));
  return (*writer)->Finish();
}

}  // namespace blobgraph::formats
