// Streaming reader and writer of blobgraph's Cap'n Proto stream files
// (schema/blobgraph.capnp): dependency sets, profiles and call traces.
//
// A stream is a header message, chunks of at most kMaxChunkEntries entries
// (the constants of blobgraph.capnp: writers fill chunks to exactly that,
// readers refuse more) and an end trailer with the total entry count (layout in the .capnp file).
// Memory stays bounded by one chunk on both sides. The reader uses
// UntrustedReaderOptions() and validates everything: magic, version, kind,
// chunk kinds and sizes, hash lengths (32 bytes) and id length (16 bytes),
// the trailer's count, and that nothing follows it; in profile streams, load
// entries (a positionWeight without a runWeight is refused) and at most one
// runWeight message, both only in version 2 streams. Errors name the file, the
// message index and its byte offset, and the entry index where one applies:
//   "t.capnp: message 3 (offset 4096): events[17]: callee hash has 31 bytes, expected 32"
// No exception leaves this codec (see capnp_errors.h).
//
// This header includes no Cap'n Proto headers; callers see only our types.
// Threads: a StreamWriter belongs to one thread at a time; ReadStream may run
// on any number of threads for different files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "blobgraph/blob_hash.h"
#include "blobgraph/graph_store.h"
#include "blobgraph/status.h"

namespace blobgraph::schema {

class InputFile;
class OutputFile;

// Named apart from the generated StreamKind, which lives in this namespace too.
enum class StreamContent : uint8_t { kDependencies, kProfile, kTrace };
const char* StreamContentName(StreamContent content);

// One function-entry event of a trace. A root call has an all-zero caller.
struct TraceEvent {
  BlobHash caller;
  BlobHash callee;
  friend bool operator==(const TraceEvent&, const TraceEvent&) = default;
};

// One function of a dependency set: a callee per call site (repeats = more
// call sites); an empty name means unknown.
struct FunctionDeps {
  BlobHash hash;
  std::string name;
  std::vector<BlobHash> callees;
};

// A function of a profile, with its name (empty: unknown).
struct NamedHash {
  BlobHash hash;
  std::string name;
};

// Names are UTF-8 text without NUL bytes (Cap'n Proto Text); kInvalidInput
// naming `path` and the hash otherwise. Writers of every form check this.
Status CheckName(const std::string& path, const BlobHash& hash, std::string_view name);

// True if `prefix` (the first bytes of a file, any length) begins with a
// blobgraph stream header message. Never throws; cheap.
bool LooksLikeStream(std::span<const uint8_t> prefix);
// The kind of stream whose header `prefix` begins with; nullopt if it does
// not begin with a complete blobgraph header of a known kind. Cheap.
std::optional<StreamContent> PeekStreamContent(std::span<const uint8_t> prefix);

class StreamWriter {
 public:
  // Writes the header to a new OutputFile for `path` (output_file.h: the
  // file appears only when Finish() succeeds); "-" writes to stdout.
  // REQUIRES: `profile` is set iff content == kProfile.
  // Errors: kIOError naming the path.
  static Result<std::unique_ptr<StreamWriter>> Open(const std::string& path, StreamContent content,
                                                    const std::optional<ProfileInfo>& profile = {});
  // The same into an output opened earlier (taken over).
  static Result<std::unique_ptr<StreamWriter>> Open(std::unique_ptr<OutputFile> out,
                                                    StreamContent content,
                                                    const std::optional<ProfileInfo>& profile = {});
  ~StreamWriter();
  StreamWriter(const StreamWriter&) = delete;
  StreamWriter& operator=(const StreamWriter&) = delete;

  // Each Add* is valid only for its kind of stream (else kInvalidInput).
  // Entries are buffered and written a chunk at a time.
  // kInvalidInput if one function has more than kMaxChunkCallSites callees.
  Status AddFunction(const BlobHash& hash, std::string_view name,
                     std::span<const BlobHash> callees);
  Status AddEdge(const EdgeDelta& edge);
  Status AddName(const BlobHash& hash, std::string_view name);
  Status AddEvents(std::span<const TraceEvent> events);
  // Profile streams: warm-start statistics (a loads chunk entry each) and
  // the run weight of all runs (one runWeight message, written at Finish();
  // a second call is kInvalidInput).
  Status AddLoad(const LoadWeights& load);
  Status SetRunWeight(uint64_t run_weight);

  // Writes the last chunk and the end trailer and commits the output (a
  // write error anywhere comes back here as kIOError naming the path). A
  // writer destroyed without a successful Finish() leaves no file behind (and
  // any previous file at the path as it was); it never throws.
  Status Finish();

  uint64_t entries() const;

 private:
  struct Impl;
  explicit StreamWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Callbacks for ReadStream; each is optional (unset: entries are skipped).
// A span is valid only during the call. A callback's non-OK Status stops the
// read and is returned unchanged.
struct StreamVisitor {
  std::function<Status(StreamContent, const std::optional<ProfileInfo>&)> on_header;
  std::function<Status(std::span<const FunctionDeps>)> on_functions;
  std::function<Status(std::span<const EdgeDelta>)> on_edges;
  std::function<Status(std::span<const NamedHash>)> on_names;
  std::function<Status(std::span<const TraceEvent>)> on_events;
  // Profiles (version 2): load chunks, and the run weight total (at most once).
  std::function<Status(std::span<const LoadWeights>)> on_loads;
  std::function<Status(uint64_t run_weight)> on_run_weight;
};

// Reads the stream at `path` ("-" = stdin; gzip is decompressed, see
// input_file.h) chunk by chunk. With `expected` set, a stream of
// another kind is kInvalidInput. Errors: kIOError (cannot open), kInvalidInput
// (malformed, truncated, wrong kind), naming file, message, offset, entry.
Status ReadStream(const std::string& path, std::optional<StreamContent> expected,
                  const StreamVisitor& visitor);
// The same from an open input (its current position onwards; offsets in
// messages are the input's, i.e. in the decompressed stream).
Status ReadStream(InputFile& input, std::optional<StreamContent> expected,
                  const StreamVisitor& visitor);

}  // namespace blobgraph::schema
