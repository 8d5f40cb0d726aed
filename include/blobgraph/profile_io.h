// Profiles: a whole graph (or part of one) with its identity, exported on one
// machine and merged on another. Three forms, all exact round trips:
//
//   capnp  a profile stream (schema/blobgraph.capnp), version 2: header
//          with the identity, edges chunks (caller, callee, static,
//          dynamic), names chunks (hash, name; empty name = declared without
//          a name), loads chunks (hash, runWeight, positionWeight) and at
//          most one runWeight message.
//   json   one JSON document (struct JsonProfile in schema/blobgraph.capnp,
//          through Cap'n Proto's JSON codec; see schema/profile_json.h),
//          version 2: ..."functions":[...],"loads":[{"hash":"..",
//          "runWeight":"65536","positionWeight":"0"}],"runWeight":"65536"}
//   text   line oriented:
//            # blobgraph-profile version=2 id=<32 hex> host=<ESC> created_ms=<int>
//            CALLER_HEX CALLEE_HEX STATIC DYNAMIC       an edge (decimal counts >= 0)
//            fn HASH_HEX [ESC_NAME]                    a function, with its name if known
//            load HASH_HEX RUN_WEIGHT POSITION_WEIGHT  a function's warm-start statistics
//            run_weight RUN_WEIGHT                     the run weight of all runs, at most once
//            # ...                                     any other comment; blank lines ignored
//          The first line must be the header. ESC is the text with every
//          byte outside '!'..'~' and every '\', '#' or '%' written as %XX
//          (two hex digits), so names with spaces or '#' survive exactly.
//
// Load statistics (version 2 of every form; version 1 files, which have
// none, are read too): GraphUpdate::loads and run_weight in LoadRecord's
// fixed point, kRunWeight = 65536 per run. A run that first loads a function
// at position p adds 65536 to its run weight and p * 65536 to its position
// weight; decay scales both, so they need not be multiples of 65536. The run
// weight line/message/field is the weight of all the runs behind the loads.
// A function's run weight may exceed it: a run's later loads can be handed
// over after its beginning (RunContinuation), so no such bound is enforced.
//
// ReadProfile returns a GraphUpdate with `profile` set, `edges` as written
// (in order; repeats not summed), `names` for functions with a name,
// `functions` for those without, `loads` as written (repeats of a hash not
// summed) and `run_weight`. It refuses, naming the file and line (text),
// entry (json), or message, offset and entry (capnp): a malformed entry or a
// hash of the wrong length, load statistics in a version 1 file, a second
// run weight, a load with a position weight but no run weight, and counts
// whose sums within the file pass 2^64 - 1 (edges per caller, loads per
// function; see profile_counts.h).
// Threads: reentrant; a ProfileWriter belongs to one thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "blobgraph/blob_hash.h"
#include "blobgraph/graph_store.h"
#include "blobgraph/status.h"

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
  // the other entries; SetRunWeight at most once (kInvalidInput otherwise).
  virtual Status AddLoad(const LoadWeights& load) = 0;
  virtual Status SetRunWeight(uint64_t run_weight) = 0;
  // Completes the file and closes it; a profile not finished is unreadable.
  virtual Status Finish() = 0;
};

// REQUIRES: format != kAuto. "-" writes to stdout. A file is written to a
// temporary beside `path` and appears only when Finish() succeeds; a failed
// or abandoned writer leaves no file and any previous one intact
// (schema/output_file.h). Errors: kIOError.
Result<std::unique_ptr<ProfileWriter>> OpenProfileWriter(const std::string& path,
                                                         ProfileFormat format);

// Writes all of `update` through `writer` and Finish()es it: Begin with
// update.profile, then names, declared functions, edges, update.loads as
// they are, then `runs` and `run_continuations` folded into load weights
// (summed per function, in hash order) and the run weight (update.run_weight
// plus kRunWeight per run; written when non-zero or when there are loads).
// Feedback totals are not part of a profile. The one way every caller writes
// a GraphUpdate as a profile. REQUIRES: a fresh writer. Errors: kInvalidInput
// (no update.profile, folded weights past 2^64 - 1), the writer's.
Status WriteProfile(ProfileWriter& writer, const GraphUpdate& update);

// kAuto decides by content: a stream header -> capnp, '{' -> json, the text
// header line -> text. `path` may be "-" (stdin); gzip is decompressed.
// Errors: kIOError, kInvalidInput.
Result<GraphUpdate> ReadProfile(const std::string& path,
                                ProfileFormat format = ProfileFormat::kAuto);

}  // namespace blobgraph::formats
