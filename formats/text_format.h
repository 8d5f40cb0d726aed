// Text edges, dependency sets and traces: one record per line.
//
//   CALLER_HEX CALLEE_HEX [COUNT]   a call site (or call event); COUNT >= 1, default 1
//   CALLER_HEX                      declares a function (no callees on this line)
//   # comment                       '#' starts a comment anywhere; blank lines ignored
//
// Fields are separated by spaces or tabs; a trailing '\r' is ignored. Hashes
// are parsed by BlobHash::Parse (64 hex digits, either case, optional
// "sha256:"). The reader streams the file in blocks, so memory stays bounded;
// a line longer than kMaxTextLineBytes is refused. Errors name file, line and
// column: "deps.txt: line 12: column 66: callee hash 'abc' has 3 hex digits, expected 64".
// Threads: the functions are reentrant; a TextWriter belongs to one thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "blobgraph/blob_hash.h"
#include "blobgraph/status.h"

namespace blobgraph::schema {
class InputFile;
class OutputFile;
}  // namespace blobgraph::schema

namespace blobgraph::formats {

inline constexpr size_t kMaxTextLineBytes = 4096;

struct TextRecord {
  BlobHash caller;
  std::optional<BlobHash> callee;  // unset: a declaration line
  uint64_t count = 0;              // 1 when the line has no COUNT; 0 for declarations
  uint64_t line = 0;               // 1-based
};

using TextVisitor = std::function<Status(const TextRecord&)>;

// Calls `visit` for each record of the file at `path` ("-" = stdin; gzip is
// decompressed, schema/input_file.h), in file order. A visitor's non-OK
// Status stops the read and is returned unchanged.
// Errors: kIOError (cannot open or read), kInvalidInput (malformed line).
Status ReadTextRecords(const std::string& path, const TextVisitor& visit);
// The same from an open input, from its current position.
Status ReadTextRecords(schema::InputFile& input, const TextVisitor& visit);

// The same over text in memory; `name` stands for the file in messages.
Status ParseTextRecords(std::string_view text, std::string_view name, const TextVisitor& visit);

// Writes text records to an OutputFile (schema/output_file.h: the file
// appears only when Finish() succeeds). Open("-") writes to stdout.
class TextWriter {
 public:
  static Result<std::unique_ptr<TextWriter>> Open(const std::string& path);
  ~TextWriter();
  TextWriter(const TextWriter&) = delete;
  TextWriter& operator=(const TextWriter&) = delete;

  // "# text" line; `text` must not contain a newline.
  Status WriteComment(std::string_view text);
  Status WriteDeclaration(const BlobHash& function);
  // Writes the COUNT field only when count != 1. REQUIRES: count >= 1.
  Status WriteEdge(const BlobHash& caller, const BlobHash& callee, uint64_t count = 1);
  // Commits the output; reports any write error (then no file is left).
  Status Finish();

 private:
  explicit TextWriter(std::unique_ptr<schema::OutputFile> out);
  Status Put(std::string_view text);
  std::string path_;
  std::unique_ptr<schema::OutputFile> out_;  // null after Finish()
};

}  // namespace blobgraph::formats
