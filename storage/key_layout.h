// key_layout: the byte layout of every RocksDB key and value in a blobgraph
// store, and the codec for it. Internal to storage/; pure functions, any thread.
//
// Integers are unsigned LEB128 varints ("varint": 7 bits per byte, low bits
// first, high bit set on every byte but the last; at most 10 bytes). Hashes
// are 32 raw bytes. All keys sort bytewise.
//
// Column family `default` (meta; keys in byte order: ageing, feedback,
// format, runs, totals — an ingested SST file must write them in that order):
//   key "ageing"  -> 8 bytes, an IEEE-754 double, little-endian: the product
//                    of every Decay factor since the store was created
//                    (absent = 1.0). Decay Puts it. A profile record keeps
//                    the value at its merge, so a retraction after ageing
//                    subtracts counts scaled by ageing_now / ageing_at_merge.
//   key "format"  -> ASCII "blobgraph-store <N>", N = kFormatVersion (Put
//                    when the store is created, and by the conversion of an
//                    older format, storage/format_upgrade.h).
//   key "feedback" -> varints requests, issued, hits, wasted, stalls: the
//                    lifetime feedback totals engines flushed (merge
//                    increments, VarintAdd; not aged by decay).
//   key "runs"    -> varint: the run weight of all recorded runs, in units of
//                    1/kRunWeightUnit run (format 2; whole runs in format
//                    1), merge increments, VarintAdd.
//   key "totals"  -> varints static_total, dynamic_total: the sums of every
//                    edge's counts (format 2; merge increments, VarintAdd,
//                    saturating; Decay and the format-1 conversion write
//                    them exactly). An upper bound of every node's incoming
//                    totals: while they fit in 64 bits, Apply needs not read
//                    node records to know no node total overflows.
//
// Column family `edges` (one row per caller):
//   key   = caller hash, 32 bytes
//   value = varint n, then n entries sorted strictly ascending by callee:
//             callee hash     32 bytes
//             static_count    varint (call sites)
//             dynamic_count   varint (observed calls)
//   Merge operands have the same encoding and hold increments; the EdgeRow
//   merge operator adds rows by a sorted merge (sums saturate at 2^64 - 1;
//   Apply refuses updates that would get there). Apply writes a caller's
//   static counts once: an operand carries static counts only when the
//   stored row has none (storage/row_plan.h).
//
// Column family `nodes`:
//   key   = function hash, 32 bytes
//   value = varint in_static, varint in_dynamic, varint callers,
//           varint static_refs, varint mentions
//   (merge increments, VarintAdd). Out totals and the callee count are read
//   from the function's own edge row. Every caller, callee and declared
//   function has a record (possibly all zero).
//   static_refs: the updates that brought this function's static list as a
//   caller (set it, or repeated it); mentions: the updates that mentioned the
//   function (a caller or callee of one of their edges, or declared). Both
//   are reference counts for Retract (storage/retract.cc): when the last
//   update that brought a static list is retracted the caller's static
//   counts go, and a function left with no edges, no load record and no
//   mentions loses its node record and its name. Values written before these
//   two fields existed have three varints: the missing ones read as 0,
//   "unknown", and Retract never removes on an unknown count.
//
// Column family `names`:
//   key   = function hash, 32 bytes
//   value = UTF-8 name bytes, no terminator (Put: last write wins)
//
// Column family `loads` (warm-start statistics):
//   key   = function hash, 32 bytes
//   value = varint run_weight, varint position_weight (merge increments,
//           VarintAdd). Format 2: fixed point, kRunWeightUnit per run. A run
//           that loads the function at position p adds (kRunWeightUnit,
//           p * kRunWeightUnit); Decay multiplies both by its factor and
//           rounds down, so one run fades by the factor at each decay
//           (0.5: 1/2, 1/4, ...) and its record goes only when its weight
//           falls below one unit (one run lasts 16 decays at 0.5 and goes
//           with the 17th) instead of being rounded away by the first.
//           position_weight / run_weight is the mean first-load position.
//           Format 1 stored whole runs and positions (unit 1); opening a
//           format-1 store for writing converts it (storage/format_upgrade.h).
//
// Column family `profiles`:
//   key   = profile id, 16 bytes
//   value = varint host length, host bytes, created_unix_ms as 8 bytes
//           little-endian two's complement, then (since retraction; a value
//           that ends here is a profile merged before digests were kept and
//           decodes with a zero digest, not retractable):
//           digest           32 bytes, ProfileDigest() of what was merged
//           edges            varint, edge entries the profile carried
//           merged_unix_ms   8 bytes little-endian
//           retracted        1 byte, 0 or 1
//           retracted_unix_ms 8 bytes little-endian
//           ageing_at_merge  8 bytes, a double (meta "ageing" at the merge)
//   (Put: the merge writes it, Retract rewrites it marked retracted; a
//   retracted id stays, so it is never merged again.)
//
// Column family `layers` (format 3; storage/layers.h): two layers over the
// graph, each a copy of part of what the graph holds, never read by the
// prefetch path.
//   "unsent" (byte 'U'): this store's own observations (updates of origin
//     kObserved) not yet handed over by MarkSent: what export and push send.
//     Never aged by Decay.
//   "pulled" (byte 'P'): the dynamic counts and load statistics the last
//     pull brought (origin kPulled), which the next pull subtracts from the
//     graph before it adds its own. Aged by Decay like the graph (rounding
//     down, so it never exceeds the graph's counts).
//   "outgoing" (byte 'O'): the batch of unsent observations sealed for a
//     push (GraphStore::SealUnsent) under one profile id, kept until the
//     server acknowledged it (ClearOutgoing): a push retried after a lost
//     acknowledgement or a restart resends the same id, which the server
//     applies once. Same record kinds as 'U', plus the id record 'i'.
//     At most one batch; never aged by Decay; never read by export.
//   key byte 0 = layer ('O', 'P' or 'U'), byte 1 = kind, then:
//     'e' + caller hash (32 bytes) -> edge row, the encoding of `edges`
//          (pulled rows keep static counts 0: call sites are never pulled
//          back out of the graph)
//     'f' + function hash (32 bytes) -> empty: a declared function (unsent)
//     'l' + function hash (32 bytes) -> varint run_weight, varint
//          position_weight, as in `loads` (fixed point)
//     'r' (2 bytes, no suffix) -> varint run weight, as meta "runs"
//     'i' (2 bytes, no suffix; 'O' only) -> the batch's profile: 16 bytes
//          id, varint host length, host bytes, 8 bytes little-endian
//          created_unix_ms. Present exactly when the batch is.
//   SealUnsent moves every 'U' record to the same key with byte 0 'O'
//   (value as read, merges resolved) and Puts 'O','i', in one WriteBatch;
//   ClearOutgoing Deletes every 'O' key in one WriteBatch. No format bump:
//   a store written before this layer simply has no 'O' keys (no batch).
//   Within a layer keys sort 'e' < 'f' < 'i' < 'l' < 'r' (an ingested SST writes
//   them in that order). Merge operands: edge rows ('e', EdgeRow add) and
//   varint vectors ('l', 'r', VarintAdd); 'f' keys are Put. MarkSent, a
//   refresh and Decay rewrite layer records with Put/Delete.
//   A format-2 store opened for writing gets an empty `layers` family: its
//   existing counts are neither unsent nor pulled.
//
// Column family `waste` (storage/edge_waste.h): wasted predictions per
// edge, the engine's feedback (GraphUpdate::wasted), one row per caller:
//   key   = caller hash, 32 bytes
//   value = the encoding of `edges`, with every static_count 0 and the
//           wasted-prediction count in the dynamic_count field
//   Merge operands are increments, added by the same EdgeRow operator
//   (saturating at 2^64 - 1). Decay scales the counts like dynamic counts
//   (rounding down) and drops entries that reach 0. Kept apart from the edge
//   rows so their layout (and every reader of it: layers, retract, export)
//   stays as it was. No format bump: a store written before it simply has
//   no `waste` family; a read-write open creates it empty, a read-only open
//   reads no waste (DbHandles::family(Cf::kWaste) is null).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blobgraph/blob_hash.h"
#include "blobgraph/graph_store.h"

namespace blobgraph::storage {

// 3: the `layers` column family (unsent and pulled layers). 2: run weights
// in fixed point (loads CF, meta "runs") and the meta "totals" record.
// 1: whole runs, no totals.
inline constexpr int kFormatVersion = 3;
// Run weight of one recorded run, format 2 (see `loads` above).
inline constexpr uint64_t kRunWeightUnit = LoadRecord::kRunWeight;
inline constexpr std::string_view kFormatKey = "format";
inline constexpr std::string_view kFormatPrefix = "blobgraph-store ";
inline constexpr std::string_view kRunsKey = "runs";
inline constexpr std::string_view kFeedbackKey = "feedback";
inline constexpr std::string_view kTotalsKey = "totals";
inline constexpr std::string_view kAgeingKey = "ageing";
// Varints in a `nodes` value: in_static, in_dynamic, callers, static_refs,
// mentions (older values hold the first three).
inline constexpr size_t kNodeFields = 5;
inline constexpr size_t kFeedbackFields = 5;

// Column families, in the order the store opens them.
enum class Cf : uint8_t { kMeta, kEdges, kNodes, kNames, kLoads, kProfiles, kLayers, kWaste };
inline constexpr size_t kCfCount = 8;
// The first format with the `layers` family (older stores lack it).
inline constexpr int kLayersFormatVersion = 3;
// RocksDB's name of the column family ("default" for kMeta).
const char* CfName(Cf cf);

// ---- varints ----
void PutVarint(std::string* out, uint64_t value);
// Reads one varint from the front of `*in` and advances it. False on a
// truncated or over-long varint.
bool GetVarint(std::string_view* in, uint64_t* value);

// ---- edge rows ----
struct RowEntry {
  BlobHash callee;
  uint64_t static_count = 0;
  uint64_t dynamic_count = 0;
};

// REQUIRES: `entries` sorted strictly ascending by callee.
void EncodeRow(const std::vector<RowEntry>& entries, std::string* out);

// Streams the entries of an encoded row. `row` must outlive the reader (the
// reader keeps a view into it).
class RowReader {
 public:
  explicit RowReader(std::string_view row) : rest_(row) {}
  // Reads the entry count; false if malformed.
  bool Start(uint64_t* count);
  // Reads the next entry: the callee view points into the row. False if
  // malformed (the caller must stop after `count` entries).
  bool Next(std::string_view* callee, uint64_t* static_count, uint64_t* dynamic_count);
  bool AtEnd() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// Decodes a whole row, checking order. On failure returns a description of
// the problem (and leaves `entries` unspecified).
std::optional<std::string> DecodeRow(std::string_view row, std::vector<RowEntry>* entries);

// ---- varint vectors (nodes, loads, meta counters) ----
void EncodeVarints(const uint64_t* values, size_t count, std::string* out);
// Decodes exactly `count` varints (missing trailing values read as 0, as a
// shorter merge result may carry). False on a malformed or longer value.
bool DecodeVarints(std::string_view value, uint64_t* values, size_t count);

// ---- profiles ----
void EncodeProfile(const ProfileInfo& profile, std::string* out);
// Reads the identity of either layout (storage/profile_records.h has the rest).
bool DecodeProfile(std::string_view value, ProfileInfo* profile);

// ---- format ----
std::string FormatValue(int version);
// The version in a format value; std::nullopt if it is not one of ours.
std::optional<int> ParseFormatValue(std::string_view value);

std::string_view HashKey(const BlobHash& hash);  // points into `hash`

// ---- layers ----
enum class Layer : char { kOutgoing = 'O', kPulled = 'P', kUnsent = 'U' };
// kOutgoingInfo: the outgoing batch's profile id record ('O' layer only).
enum class LayerKind : char {
  kEdges = 'e',
  kFunction = 'f',
  kOutgoingInfo = 'i',
  kLoad = 'l',
  kRunWeight = 'r'
};
inline constexpr size_t kLayerKeyPrefix = 2;  // layer byte, kind byte
// The key of a layer record; `hash` is required for every kind but kRunWeight.
std::string LayerKey(Layer layer, LayerKind kind, const BlobHash* hash = nullptr);
// The two-byte prefix shared by a layer's records of one kind.
std::string LayerPrefix(Layer layer, LayerKind kind);
// The value of key 'O','i': 16-byte id, varint host length, host, 8-byte
// little-endian created_unix_ms. Decode is false on any other length.
void EncodeOutgoingInfo(const ProfileInfo& info, std::string* out);
bool DecodeOutgoingInfo(std::string_view value, ProfileInfo* info);

}  // namespace blobgraph::storage
