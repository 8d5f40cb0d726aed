#include "tools/trace_input.h"

#include "schema/input_file.h"

namespace blobgraph::tools {

Result<formats::TraceFormat> ParseTraceFormatFlag(const std::string& name) {
  if (name == "auto") return formats::TraceFormat::kAuto;
  if (name == "text") return formats::TraceFormat::kText;
  if (name == "binary") return formats::TraceFormat::kBinary;
  if (name == "capnp") return formats::TraceFormat::kCapnp;
  return Status::InvalidInput("--format '" + name + "' is not one of auto, text, binary, capnp");
}

Status VisitTrace(const std::string& path, formats::TraceFormat format, ProgressTicker* progress,
                  const formats::TraceChunkVisitor& on_chunk) {
  // One open, one pass: a pipe or stdin cannot be read twice.
  auto input = schema::InputFile::Open(path);
  if (!input.ok()) return input.status();
  // Progress in events against the size of a binary trace: exact for binary,
  // a rough guide for the other forms, none for pipes and gzip.
  uint64_t expected = (*input)->size_hint() / 64;
  uint64_t seen = 0;
  return formats::ReadTrace(**input, format, [&](std::span<const formats::CallEvent> chunk) {
    seen += chunk.size();
    if (progress != nullptr) progress->SetProgress(seen, std::max(expected, seen));
    return on_chunk(chunk);
  });
}

Result<std::vector<formats::CallEvent>> LoadTrace(const std::string& path,
                                                  formats::TraceFormat format,
                                                  ProgressTicker* progress) {
  std::vector<formats::CallEvent> events;
  Status status =
      VisitTrace(path, format, progress, [&](std::span<const formats::CallEvent> chunk) {
        events.insert(events.end(), chunk.begin(), chunk.end());
        return Status::Ok();
      });
  if (!status.ok()) return status;
  return events;
}

}  // namespace blobgraph::tools
