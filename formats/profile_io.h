// Profiles: a whole graph (or part of one) with its identity, exported on one
// machine and merged on another. Three forms, all exact round trips:
//
//   capnp  a profile stream (schema/blobgraph.capnp): header with the
//          identity, edges chunks (caller, callee, static, dynamic), names
//          chunks (hash, name; empty name = declared without a name).
//   json   one JSON document (struct JsonProfile in schema/blobgraph.capnp,
//          through Cap'n Proto's JSON codec; see schema/profile_json.h).
//   text   line oriented:
//            # blobgraph-profile version=1 id=<32 hex> host=<ESC> created_ms=<int>
//            CALLER_HEX CALLEE_HEX STATIC DYNAMIC       an edge (decimal counts >= 0)
//            fn HASH_HEX [ESC_NAME]                    a function, with its name if known
//            # ...                                     any other comment; blank lines ignored
//          The first line must be the header. ESC is the text with every
//          byte outside '!'..'~' and every '\', '#' or '%' written as %XX
//          (two hex digits), so names with spaces or '#' survive exactly.
//
// ReadProfile returns a GraphUpdate with `profile` set, `edges` as written
// (in order; repeats not summed), `names` for functions with a name and
// `functions` for those without. Errors name the file and line (text),
// entry (json), or message, offset and entry (capnp).
// Threads: reentrant; a ProfileWriter belongs to one thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "blobgraph/blob_hash.h"
#include "blobgraph/graph_store.h"
#include "blobgraph/status.h"
#include "schema/input_file.h"

namespace blobgraph::formats {

enum class ProfileFormat { kAuto, kCapnp, kText, kJson };
const char* ProfileFormatName(ProfileFormat format);
// "capnp", "text", "json" (and "auto"); kInvalidInput quoting anything else.
Result<ProfileFormat> ParseProfileFormat(std::string_view name);

class ProfileWriter {
 public:
  virtual ~ProfileWriter() = default;
  // Must come first, once. kInvalidInput otherwise.
  virtual Status Begin(const ProfileInfo& profile) = 0;
  virtual Status AddEdge(const EdgeDelta& edge) = 0;
  virtual Status AddFunction(const BlobHash& hash, const std::optional<std::string>& name) = 0;
  // Warm-start statistics (GraphUpdate::loads, run_weight). Any order with
  // the other entries; SetRunWeight at most once.
  virtual Status AddLoad(const LoadWeights& load) {
    (void)load;
    return Status::InvalidInput("profile writer: load statistics are not written yet");
  }
  virtual Status SetRunWeight(uint64_t run_weight) {
    (void)run_weight;
    return Status::InvalidInput("profile writer: load statistics are not written yet");
  }
  // Completes the file and closes it; a profile not finished is unreadable.
  virtual Status Finish() = 0;
};

// REQUIRES: format != kAuto. "-" writes to stdout. A file is written to a
// temporary beside `path` and appears only when Finish() succeeds; a failed
// or abandoned writer leaves no file and any previous one intact
// (schema/output_file.h). Errors: kIOError.
Result<std::unique_ptr<ProfileWriter>> OpenProfileWriter(const std::string& path,
                                                         ProfileFormat format);

// kAuto decides by content: a stream header -> capnp, '{' -> json, the text
// header line -> text. `path` may be "-" (stdin); gzip is decompressed
// (schema/input_file.h). Errors: kIOError, kInvalidInput.
Result<GraphUpdate> ReadProfile(const std::string& path,
                                ProfileFormat format = ProfileFormat::kAuto);
// The same from an open input, from its current position.
Result<GraphUpdate> ReadProfile(schema::InputFile& input,
                                ProfileFormat format = ProfileFormat::kAuto);

}  // namespace blobgraph::formats
