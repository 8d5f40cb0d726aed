// Reading call traces for record and replay: the --format flag and a
// streaming read with progress.
#pragma once

#include <string>
#include <vector>

#include "formats/trace_format.h"
#include "tools/progress.h"

namespace blobgraph::tools {

// "auto", "text", "binary" or "capnp"; kInvalidInput quoting anything else.
Result<formats::TraceFormat> ParseTraceFormatFlag(const std::string& name);

// Visits the trace at `path` ("-" = stdin, pipes, gzip; read once, never
// reopened) chunk by chunk, reporting events read to `progress`. Events are
// final only when it returns OK (a pipe's partial last record shows at its end).
Status VisitTrace(const std::string& path, formats::TraceFormat format, ProgressTicker* progress,
                  const formats::TraceChunkVisitor& on_chunk);

// The whole trace in memory, read once (replay needs random access to
// nothing, but replays it several times under --sweep, which must not read
// a pipe twice).
Result<std::vector<formats::CallEvent>> LoadTrace(const std::string& path,
                                                  formats::TraceFormat format,
                                                  ProgressTicker* progress);

}  // namespace blobgraph::tools
