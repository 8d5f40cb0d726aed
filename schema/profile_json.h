// The JSON form of a profile (struct JsonProfile in blobgraph.capnp), through
// Cap'n Proto's JSON codec: one JSON document with the identity, the edges
// (hex hashes, static and dynamic counts), the named functions, and (version
// 2) the load statistics and the run weight of all runs.
//
// The writer streams: edges are encoded and written a few thousand at a time;
// functions and loads are kept until Finish() (they go after the edges in the
// document, then "runWeight", always written). The reader decodes the whole document in memory
// (JSON has no framing to stream on), then validates every field, naming the entry:
//   "p.json: edges[12]: caller hash 'ab' has 2 hex digits, expected 64"
// No exception leaves this codec. A writer belongs to one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "blobgraph/blob_hash.h"
#include "blobgraph/graph_store.h"
#include "blobgraph/status.h"
#include "schema/stream_codec.h"

namespace blobgraph::schema {

class JsonProfileWriter {
 public:
  // Writes to a new OutputFile for `path` (output_file.h: the file appears
  // only when Finish() succeeds); "-" writes to stdout. Errors: kIOError.
  static Result<std::unique_ptr<JsonProfileWriter>> Open(const std::string& path,
                                                         const ProfileInfo& profile);
  // The same into an output opened earlier (taken over).
  static Result<std::unique_ptr<JsonProfileWriter>> Open(std::unique_ptr<OutputFile> out,
                                                         const ProfileInfo& profile);
  ~JsonProfileWriter();
  JsonProfileWriter(const JsonProfileWriter&) = delete;
  JsonProfileWriter& operator=(const JsonProfileWriter&) = delete;

  Status AddEdge(const EdgeDelta& edge);
  // An empty name declares the function without a name.
  Status AddFunction(const BlobHash& hash, std::string_view name);
  Status AddLoad(const LoadWeights& load);
  // At most once (kInvalidInput otherwise); unset writes "runWeight":"0".
  Status SetRunWeight(uint64_t run_weight);
  // Completes the document and commits the output; a write error anywhere
  // comes back here. Destroyed unfinished, the writer leaves no file.
  Status Finish();

 private:
  struct Impl;
  explicit JsonProfileWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads a JSON profile and reports it through `visitor` as a profile stream
// would: on_header (kProfile, identity), then on_edges, on_names and on_loads
// in chunks, then on_run_weight (version 2 documents; version 1 ones, which
// have no loads, are read too). A load with a positionWeight but no
// runWeight is refused naming it ("loads[2]: ...").
// Errors: kIOError (cannot read), kInvalidInput (malformed JSON, wrong format
// or version, bad hash/id/count), naming the file and entry.
// Counts are exact over the whole 64-bit range, written as strings (as the
// writer does) or as bare numbers (json_exact_integers.h); a number that
// cannot be an exact count is refused naming the entry ("edges[3].staticCount").
Status ReadJsonProfile(const std::string& path, const StreamVisitor& visitor);
Status ReadJsonProfile(InputFile& input, const StreamVisitor& visitor);

}  // namespace blobgraph::schema
