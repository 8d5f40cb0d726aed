// The three TraceWriter implementations (formats described in trace_format.h).
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "formats/text_format.h"
#include "formats/file_io.h"
#include "formats/trace_format.h"

namespace blobgraph::formats {
namespace {

class BinaryTraceWriter : public TraceWriter {
 public:
  BinaryTraceWriter(std::string path, std::FILE* file, bool owns_file)
      : path_(std::move(path)), file_(file), owns_file_(owns_file) {}
  ~BinaryTraceWriter() override {
    if (owns_file_ && file_) std::fclose(file_);
  }

  Status Add(std::span<const CallEvent> events) override {
    if (!file_) return Status::InvalidInput(path_ + ": write after Finish()");
    uint8_t record[kTraceRecordBytes];
    for (const CallEvent& event : events) {
      std::memcpy(record, event.caller.data(), BlobHash::kSize);
      std::memcpy(record + BlobHash::kSize, event.callee.data(), BlobHash::kSize);
      if (std::fwrite(record, 1, sizeof(record), file_) != sizeof(record)) {
        return Status::IOError(path_ + ": write failed: " + std::strerror(errno));
      }
    }
    return Status::Ok();
  }

  Status Finish() override {
    if (!file_) return Status::InvalidInput(path_ + ": Finish() called twice");
    return internal::FinishOutput(&file_, owns_file_, path_);
  }

 private:
  std::string path_;
  std::FILE* file_;
  bool owns_file_;
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
      if (path == "-") return std::unique_ptr<TraceWriter>(new BinaryTraceWriter(path, stdout, false));
      std::FILE* file = std::fopen(path.c_str(), "wb");
      if (!file) return Status::IOError(path + ": cannot create: " + std::strerror(errno));
      return std::unique_ptr<TraceWriter>(new BinaryTraceWriter(path, file, true));
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
    case TraceFormat::kAuto: break;
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
