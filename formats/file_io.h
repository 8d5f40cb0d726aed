// Small file helpers every reader and writer in formats/ shares, so that
// opening, sniffing and closing files fail the same way with the same words.
// Pure functions; any thread.
#pragma once

#include <cstdio>
#include <string>

#include "blobgraph/status.h"

namespace blobgraph::formats::internal {

// Up to `max_bytes` from the start of `path` (fewer for a shorter file), to
// recognise a file by content. Errors: kIOError naming the path.
Result<std::string> ReadFilePrefix(const std::string& path, size_t max_bytes = 4096);

// Flushes `*file` and, when `owns_file` (not stdout), closes it; sets *file
// to null. A flush or close failure, or `already_failed` (an earlier write
// failed), is kIOError "<path>: write failed: <reason>".
Status FinishOutput(std::FILE** file, bool owns_file, const std::string& path,
                    bool already_failed = false);

}  // namespace blobgraph::formats::internal
