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

// Visits the trace chunk by chunk, reporting bytes read to `progress`.
Status VisitTrace(const std::string& path, formats::TraceFormat format, ProgressTicker* progress,
                  const formats::TraceChunkVisitor& on_chunk);

// The whole trace in memory (replay needs random access to nothing, but
// replays it several times under --sweep).
Result<std::vector<formats::CallEvent>> LoadTrace(const std::string& path,
                                                  formats::TraceFormat format,
                                                  ProgressTicker* progress);

}  // namespace blobgraph::tools
