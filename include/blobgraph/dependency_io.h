// Dependency sets: which functions call which, one entry per call site.
//
// Two file forms: dependency text (text_format.h; COUNT adds that many call
// sites) and the Cap'n Proto dependencies stream (schema/blobgraph.capnp:
// per function its hash, optional name, a callee per call site). Loading
// turns either into a GraphUpdate:
//   edges      one EdgeDelta per caller -> callee with the number of call
//              sites (repeats and COUNT add) as static_count, or as
//              dynamic_count with CountKind::kDynamic (`import --kind dynamic`);
//   functions  functions declared without callees (a text line with only a
//              hash; a stream entry with an empty callee list);
//   names      the stream's non-empty names (text carries none).
// Repeats of one edge within a caller's run of consecutive entries (a stream
// entry's callee list, or adjacent text lines of one caller) are summed while
// loading, and that run's edges come out in callee order; repeats across
// separate runs stay separate entries (GraphUpdate sums them on Apply).
// Threads: reentrant; a DependencyWriter belongs to one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "blobgraph/blob_hash.h"
#include "blobgraph/graph_store.h"
#include "blobgraph/status.h"

namespace blobgraph::formats {

enum class DependencyFormat { kAuto, kText, kCapnp };
enum class CountKind { kStatic, kDynamic };

struct DependencyImport {
  GraphUpdate update;
  uint64_t call_sites = 0;  // sum of the counts loaded
  uint64_t records = 0;     // text lines or stream functions read
};

// kAuto: a blobgraph stream header means kCapnp, anything else is text.
// `path` may be "-" (stdin); gzip is decompressed.
// Errors: kIOError (cannot read), kInvalidInput (malformed, naming file and
// line, or message, offset and entry).
Result<DependencyImport> LoadDependencies(const std::string& path,
                                          DependencyFormat format = DependencyFormat::kAuto,
                                          CountKind kind = CountKind::kStatic);

// Writes a dependency set one function at a time. Text: a declaration line
// for a function without callees, else a line per distinct consecutive
// callee with its count (names are written as comments, which text readers
// skip). Capnp: one stream entry per function. "-" writes to stdout; a file
// appears only when Finish() succeeds (schema/output_file.h).
class DependencyWriter {
 public:
  // REQUIRES: format != kAuto. Errors: kIOError.
  static Result<std::unique_ptr<DependencyWriter>> Open(const std::string& path,
                                                        DependencyFormat format);
  virtual ~DependencyWriter() = default;
  // `callees`: one per call site, repeats allowed. An empty name = unknown.
  virtual Status AddFunction(const BlobHash& hash, std::string_view name,
                             std::span<const BlobHash> callees) = 0;
  virtual Status Finish() = 0;
};

}  // namespace blobgraph::formats
