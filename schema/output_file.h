// OutputFile: the one way every writer of outside files puts out its bytes.
//
// A path is written to a temporary file beside it (same directory, so the
// rename cannot cross file systems) and renamed into place by Commit() only
// after everything was written, flushed and fsync'ed; the directory is synced
// after the rename. A writer that fails, or is destroyed without Commit(),
// removes its temporary file and leaves a previous file at the path byte for
// byte as it was: there is never a partial output file.
// "-" writes to stdout; Commit() then flushes it and reports any error
// (a full disk behind `> file`, /dev/full, a closed pipe). An existing path
// that is not a regular file (/dev/null, /dev/stdout, a FIFO) is written in
// place, as there is nothing to rename over; a symbolic link stays a link and
// the file it points to is replaced.
//
// Write errors are sticky: the first one is kept, later writes are no-ops,
// and Write() and Commit() return it ("out.capnp: write failed: No space left
// on device"). Nothing here throws. One thread at a time.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "blobgraph/status.h"

namespace blobgraph::schema {

class OutputFile {
 public:
  // The name "-" stands for in messages.
  static constexpr const char* kStdoutName = "<stdout>";

  // Creates the temporary file for `path` (or takes stdout for "-").
  // Errors: kIOError naming the path (e.g. its directory does not exist).
  static Result<std::unique_ptr<OutputFile>> Open(const std::string& path);
  // Removes the temporary file unless committed. Never throws.
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // The path as given, or "<stdout>" for "-": the name for messages.
  const std::string& path() const { return path_; }
  bool is_stdout() const { return file_ == stdout; }

  // Buffered. Returns the sticky error, if any.
  Status Write(std::string_view bytes);
  // Flushes, syncs, closes and renames into place (stdout: flushes). Once only.
  Status Commit();
  // Drops the output: removes the temporary file (stdout: nothing). Idempotent.
  void Discard();

 private:
  OutputFile(std::string path, std::string temporary, std::FILE* file);
  Status Failed(const char* what, int error);

  std::string path_;
  std::string target_;     // the file renamed over (path_, or a symlink's target)
  std::string temporary_;  // empty for stdout and direct outputs
  std::FILE* file_;
  bool direct_ = false;  // an existing device or FIFO, written in place
  bool done_ = false;
  Status error_;
};

}  // namespace blobgraph::schema
