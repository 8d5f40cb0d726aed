// Call traces: function-entry events (caller, callee) in execution order, in
// three file forms. A root call has an all-zero caller.
//
//   binary  64-byte records: caller (32 bytes) then callee (32 bytes), no
//           header; the file size must be a multiple of 64.
//   text    one event per line, "CALLER_HEX CALLEE_HEX" (text_format.h rules;
//           a declaration line or a COUNT is refused in a trace); a root
//           caller is 64 zeros.
//   capnp   a trace stream (schema/blobgraph.capnp, schema/stream_codec.h).
//
// Readers hand out events in chunks of at most kTraceChunkEvents, so memory
// stays bounded for traces of any length. Errors name file and line (text),
// byte offset (binary), or message, offset and entry (capnp):
//   "trace.bin: offset 4096: truncated record: 17 bytes, expected 64"
// Threads: the functions are reentrant; a TraceWriter belongs to one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "blobgraph/blob_hash.h"
#include "blobgraph/status.h"
#include "schema/input_file.h"
#include "schema/stream_codec.h"

namespace blobgraph::formats {

using CallEvent = schema::TraceEvent;  // { BlobHash caller, callee; }

enum class TraceFormat { kAuto, kText, kBinary, kCapnp };
const char* TraceFormatName(TraceFormat format);

inline constexpr size_t kTraceRecordBytes = 64;
inline constexpr size_t kTraceChunkEvents = 65536;

// Decides by content (of the decompressed input, from a peeked prefix: the
// input is not consumed): a blobgraph stream header -> kCapnp; else the first
// 4 KiB all printable text -> kText; else kBinary, whose size must be a
// multiple of 64 (a regular file's is checked here, kInvalidInput naming the
// offset of the partial record; a pipe's or gzip's at the end of the read).
// An empty input is kBinary (no events). Errors: kIOError.
Result<TraceFormat> DetectTraceFormat(schema::InputFile& input);
Result<TraceFormat> DetectTraceFormat(const std::string& path);

// Reads the trace at `path` ("-" = stdin; gzip is decompressed, see
// schema/input_file.h) (kAuto: DetectTraceFormat) and calls `on_chunk` with
// consecutive events in order; a span is valid only during the call. A
// callback's non-OK Status stops the read and is returned unchanged. A read
// error may come after some chunks were visited: act on the events only once
// ReadTrace returned OK.
using TraceChunkVisitor = std::function<Status(std::span<const CallEvent>)>;
Status ReadTrace(const std::string& path, TraceFormat format, const TraceChunkVisitor& on_chunk);
Status ReadTrace(schema::InputFile& input, TraceFormat format, const TraceChunkVisitor& on_chunk);

// Streaming writer into an OutputFile (schema/output_file.h: the file
// appears only when Finish() succeeds); "-" writes to stdout.
class TraceWriter {
 public:
  // REQUIRES: format != kAuto (kInvalidInput otherwise). Errors: kIOError.
  static Result<std::unique_ptr<TraceWriter>> Open(const std::string& path, TraceFormat format);
  virtual ~TraceWriter() = default;
  virtual Status Add(std::span<const CallEvent> events) = 0;
  // Completes the file (the capnp end trailer) and commits it; any write
  // error comes back here. Destroyed unfinished: no file is left.
  virtual Status Finish() = 0;
};

// Writes `events` to `path` in `format` (not kAuto) in one go.
Status WriteTrace(const std::string& path, TraceFormat format, std::span<const CallEvent> events);

}  // namespace blobgraph::formats
