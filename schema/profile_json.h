// The JSON form of a profile (struct JsonProfile in blobgraph.capnp), through
// Cap'n Proto's JSON codec: one JSON document with the identity, the edges
// (hex hashes, static and dynamic counts) and the named functions.
//
// The writer streams: edges are encoded and written a few thousand at a time;
// functions are kept until Finish() (they go after the edges in the
// document). The reader decodes the whole document in memory (JSON has no
// framing to stream on), then validates every field, naming the entry:
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
  // Creates (truncates) `path`; "-" writes to stdout. Errors: kIOError.
  static Result<std::unique_ptr<JsonProfileWriter>> Open(const std::string& path,
                                                         const ProfileInfo& profile);
  ~JsonProfileWriter();
  JsonProfileWriter(const JsonProfileWriter&) = delete;
  JsonProfileWriter& operator=(const JsonProfileWriter&) = delete;

  Status AddEdge(const EdgeDelta& edge);
  // An empty name declares the function without a name.
  Status AddFunction(const BlobHash& hash, std::string_view name);
  // Completes the document and closes the file.
  Status Finish();

 private:
  struct Impl;
  explicit JsonProfileWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads a JSON profile and reports it through `visitor` as a profile stream
// would: on_header (kProfile, identity), then on_edges and on_names in chunks.
// Errors: kIOError (cannot read), kInvalidInput (malformed JSON, wrong format
// or version, bad hash/id/count), naming the file and entry.
Status ReadJsonProfile(const std::string& path, const StreamVisitor& visitor);

}  // namespace blobgraph::schema
