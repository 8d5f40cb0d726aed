#include "formats/trace_format.h"

#include <algorithm>
#include <vector>

#include "formats/file_io.h"
#include "formats/text_format.h"
#include "schema/input_file.h"

namespace blobgraph::formats {
namespace {

Status PartialRecord(const std::string& name, uint64_t size) {
  uint64_t offset = size - size % kTraceRecordBytes;
  return Status::InvalidInput(name + ": offset " + std::to_string(offset) + ": truncated record: " +
                              std::to_string(size % kTraceRecordBytes) + " bytes, expected 64");
}

bool IsText(std::span<const uint8_t> prefix) {
  for (uint8_t c : prefix) {
    if (!((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' || c == '\r')) return false;
  }
  return true;
}

Status ReadBinary(schema::InputFile& input, const TraceChunkVisitor& on_chunk) {
  // A chunk's worth, or less for a small file (the size is only a hint; the
  // loop below reads until end of input either way).
  uint64_t hint = input.size_hint() > 0 ? input.size_hint() : kTraceChunkEvents * kTraceRecordBytes;
  size_t records_per_read =
      std::clamp<uint64_t>(hint / kTraceRecordBytes + 1, 1, kTraceChunkEvents);
  std::vector<uint8_t> buffer(records_per_read * kTraceRecordBytes);
  std::vector<CallEvent> events(records_per_read);
  for (;;) {
    uint64_t offset = input.offset();
    auto got = input.ReadFull(buffer.data(), buffer.size());
    if (!got.ok()) return got.status();
    size_t records = *got / kTraceRecordBytes;
    // On a pipe the size is known only here, at the end: the events before
    // went to `on_chunk` already, and the caller's Status decides (record and
    // replay apply nothing from a failed read).
    if (*got % kTraceRecordBytes != 0) return PartialRecord(input.name(), offset + *got);
    for (size_t i = 0; i < records; ++i) {
      events[i].caller = BlobHash::FromBytes(buffer.data() + i * kTraceRecordBytes);
      events[i].callee = BlobHash::FromBytes(buffer.data() + i * kTraceRecordBytes + 32);
    }
    if (records > 0) {
      BLOBGRAPH_RETURN_IF_ERROR(on_chunk(std::span<const CallEvent>(events.data(), records)));
    }
    if (*got < buffer.size()) return Status::Ok();
  }
}

Status ReadText(schema::InputFile& input, const TraceChunkVisitor& on_chunk) {
  const std::string& path = input.name();
  std::vector<CallEvent> events;
  events.reserve(kTraceChunkEvents);
  Status status = ReadTextRecords(input, [&](const TextRecord& record) -> Status {
    if (!record.callee) {
      return Status::InvalidInput(path + ": line " + std::to_string(record.line) +
                                  ": a trace event needs a caller and a callee");
    }
    if (record.count != 1) {
      return Status::InvalidInput(path + ": line " + std::to_string(record.line) +
                                  ": a trace line is one call and takes no count");
    }
    events.push_back({record.caller, *record.callee});
    if (events.size() == kTraceChunkEvents) {
      BLOBGRAPH_RETURN_IF_ERROR(on_chunk(events));
      events.clear();
    }
    return Status::Ok();
  });
  BLOBGRAPH_RETURN_IF_ERROR(status);
  if (!events.empty()) return on_chunk(events);
  return Status::Ok();
}

Status ReadCapnp(schema::InputFile& input, const TraceChunkVisitor& on_chunk) {
  schema::StreamVisitor visitor;
  visitor.on_events = on_chunk;
  return schema::ReadStream(input, schema::StreamContent::kTrace, visitor);
}

}  // namespace

const char* TraceFormatName(TraceFormat format) {
  switch (format) {
    case TraceFormat::kAuto:
      return "auto";
    case TraceFormat::kText:
      return "text";
    case TraceFormat::kBinary:
      return "binary";
    case TraceFormat::kCapnp:
      return "capnp";
  }
  return "unknown";
}

Result<TraceFormat> DetectTraceFormat(schema::InputFile& input) {
  auto prefix = internal::PeekPrefix(input);
  if (!prefix.ok()) return prefix.status();
  if (prefix->empty()) return TraceFormat::kBinary;
  if (schema::LooksLikeStream(*prefix)) return TraceFormat::kCapnp;
  if (IsText(*prefix)) return TraceFormat::kText;
  // A regular file's size tells a partial last record before anything is
  // read; a pipe's or a gzip's only at its end (ReadBinary).
  uint64_t size = input.size_hint();
  if (size > 0 && size % kTraceRecordBytes != 0) return PartialRecord(input.name(), size);
  return TraceFormat::kBinary;
}

Result<TraceFormat> DetectTraceFormat(const std::string& path) {
  auto input = schema::InputFile::Open(path);
  if (!input.ok()) return input.status();
  return DetectTraceFormat(**input);
}

Status ReadTrace(schema::InputFile& input, TraceFormat format, const TraceChunkVisitor& on_chunk) {
  if (format == TraceFormat::kAuto) {
    auto detected = DetectTraceFormat(input);
    if (!detected.ok()) return detected.status();
    format = *detected;
  }
  switch (format) {
    case TraceFormat::kBinary:
      return ReadBinary(input, on_chunk);
    case TraceFormat::kText:
      return ReadText(input, on_chunk);
    case TraceFormat::kCapnp:
      return ReadCapnp(input, on_chunk);
    case TraceFormat::kAuto:
      break;
  }
  return Status::InvalidInput(input.name() + ": unknown trace format");
}

Status ReadTrace(const std::string& path, TraceFormat format, const TraceChunkVisitor& on_chunk) {
  auto input = schema::InputFile::Open(path);
  if (!input.ok()) return input.status();
  return ReadTrace(**input, format, on_chunk);
}

}  // namespace blobgraph::formats
