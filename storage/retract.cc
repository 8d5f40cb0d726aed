// GraphStoreImpl's profile records and Retract: takes back exactly what
// merging one profile added, once, given the profile's file (the store
// keeps only its digest, never its contents).
//
// Retract reads every record the profile touched and writes the results as
// Puts and Deletes in one WriteBatch under the writer mutex, so it is atomic
// and no other write runs between its reads and its commit:
//  * edge rows: each edge's dynamic count minus the profile's (scaled by the
//    ageing since the merge, rounding down, clamped at zero); a caller whose
//    last static list reference (nodes' static_refs) this was loses its
//    static counts; entries left with no count, rows left empty, go;
//  * nodes: in_static, in_dynamic, callers from the entries changed; the
//    reference counts minus one; a function whose mentions reach zero and
//    that has no edges in or out and no load record left loses its node
//    record and its name (a count already 0 is "unknown" and never removes);
//    names of functions the store does not know (name-only entries a profile
//    may carry) are not counted by anything and stay: another profile may
//    have brought the same name;
//  * loads and meta "runs": minus the profile's load statistics (scaled as
//    above), records left without weight removed;
//  * meta "totals": written exactly;
//  * the profile record: marked retracted (kept, so the id is never merged
//    again and a second retraction changes nothing).
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "core/hex.h"
#include "storage/corrupt_value.h"
#include "storage/count_math.h"
#include "storage/graph_store_impl.h"
#include "storage/key_layout.h"
#include "storage/profile_records.h"
#include "storage/rocks_status.h"
#include "storage/total_checks.h"

namespace blobgraph::storage {
namespace {

std::string DigestHex(const std::array<uint8_t, 32>& digest) {
  return ToHex(digest.data(), digest.size());
}

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A count as merged, scaled by the ageing since: floor(count * scale).
uint64_t Scaled(uint64_t count, long double scale) {
  if (scale >= 1.0L) return count;
  return static_cast<uint64_t>(std::floor(static_cast<long double>(count) * scale));
}

uint64_t Minus(uint64_t value, uint64_t subtract) {
  return value > subtract ? value - subtract : 0;
}

struct EdgeCounts {
  uint64_t static_count = 0, dynamic_count = 0;
};

// One function's node record while a retraction is planned.
struct NodeState {
  bool found = false;
  uint64_t values[kNodeFields] = {};  // in_static, in_dynamic, callers, static_refs, mentions
  bool last_mention = false;          // this retraction took its mentions from 1 to 0
  bool changed = false;
};

}  // namespace

Result<std::optional<ProfileRecord>> GraphStoreImpl::Profile(
    const std::array<uint8_t, 16>& id) const {
  std::string value;
  bool found = false;
  BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kProfiles, ProfileKey(id), &value, &found));
  if (!found) return std::optional<ProfileRecord>();
  StoredProfile stored;
  if (!DecodeStoredProfile(value, &stored)) {
    return CorruptValue(path_, Cf::kProfiles, ProfileKey(id), "profile record does not decode");
  }
  stored.record.info.id = id;
  return std::optional<ProfileRecord>(std::move(stored.record));
}

Status GraphStoreImpl::ForEachProfile(const ProfileVisitor& visit) const {
  std::unique_ptr<rocksdb::Iterator> it = NewScan(Cf::kProfiles, nullptr);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    StoredProfile stored;
    if (it->key().size() != stored.record.info.id.size() ||
        !DecodeStoredProfile(View(it->value()), &stored)) {
      return CorruptValue(path_, Cf::kProfiles, View(it->key()), "profile record does not decode");
    }
    std::memcpy(stored.record.info.id.data(), it->key().data(), stored.record.info.id.size());
    BLOBGRAPH_RETURN_IF_ERROR(visit(stored.record));
  }
  return FromRocks(it->status(), path_ + ": scanning profiles");
}

Result<RetractOutcome> GraphStoreImpl::Retract(const GraphUpdate& profile) {
  BLOBGRAPH_RETURN_IF_ERROR(RefuseIfReadOnly("Retract"));
  if (!profile.profile) {
    return Status::InvalidInput(path_ + ": retract: the update is not a profile (it has no id)");
  }
  const std::string id_hex = profile.profile->IdHex();
  std::lock_guard<std::mutex> lock(writer_mutex_);
  BLOBGRAPH_RETURN_IF_ERROR(ResumeIfStopped());

  // The profile record: merged, not yet retracted, and this very profile.
  std::string value;
  bool found = false;
  std::string_view id_key = ProfileKey(profile.profile->id);
  BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kProfiles, id_key, &value, &found));
  if (!found) {
    return Status::NotFound(path_ + ": profile " + id_hex +
                            " was never merged into this store; nothing was retracted");
  }
  StoredProfile stored;
  if (!DecodeStoredProfile(value, &stored)) {
    return CorruptValue(path_, Cf::kProfiles, id_key, "profile record does not decode");
  }
  RetractOutcome outcome;
  if (stored.record.retracted) {
    outcome.already_retracted = true;
    return outcome;
  }
  if (!stored.has_digest) {
    return Status::InvalidInput(path_ + ": profile " + id_hex +
                                " was merged before the store kept profile digests, so the file "
                                "cannot be checked against it; nothing was retracted");
  }
  std::array<uint8_t, 32> digest = ProfileDigest(profile);
  if (digest != stored.record.digest) {
    return Status::InvalidInput(path_ + ": profile " + id_hex +
                                ": this file is not the profile that was merged (its "
                                "digest " +
                                DigestHex(digest) + " differs from " +
                                DigestHex(stored.record.digest) +
                                ", kept with the id); nothing was retracted");
  }
  auto ageing = ReadAgeing(handles_);
  if (!ageing.ok()) return ageing.status();
  const long double scale =
      static_cast<long double>(*ageing) / static_cast<long double>(stored.ageing_at_merge);

  // What the merge added, canonical: edges summed per caller -> callee,
  // and every function it mentioned (apply_writer.cc counts the same set).
  std::map<BlobHash, std::map<BlobHash, EdgeCounts>> edges;
  std::set<BlobHash> mentioned(profile.functions.begin(), profile.functions.end());
  for (const EdgeDelta& edge : profile.edges) {
    mentioned.insert(edge.caller);
    mentioned.insert(edge.callee);
    if (edge.static_count == 0 && edge.dynamic_count == 0) continue;
    EdgeCounts& counts = edges[edge.caller][edge.callee];
    counts.static_count = SaturatingAdd(counts.static_count, edge.static_count);
    counts.dynamic_count = SaturatingAdd(counts.dynamic_count, edge.dynamic_count);
  }

  std::map<BlobHash, NodeState> nodes;
  auto node = [&](const BlobHash& hash) -> Result<NodeState*> {
    auto [slot, inserted] = nodes.try_emplace(hash);
    if (inserted) {
      std::string stored_value;
      BLOBGRAPH_RETURN_IF_ERROR(
          GetValue(Cf::kNodes, HashKey(hash), &stored_value, &slot->second.found));
      if (slot->second.found && !DecodeVarints(stored_value, slot->second.values, kNodeFields)) {
        return CorruptValue(path_, Cf::kNodes, HashKey(hash), "node record does not decode");
      }
    }
    return &slot->second;
  };
  for (const BlobHash& hash : mentioned) {
    auto state = node(hash);
    if (!state.ok()) return state.status();
    uint64_t& mentions = (*state)->values[4];
    if (mentions > 0) {
      (*state)->last_mention = --mentions == 0;
      (*state)->changed = true;
    }
  }

  std::unique_ptr<WriteSink> sink = NewSink(/*ingest=*/false);
  StoreTotals removed;
  std::set<BlobHash> rows_left;  // callers of this profile whose rows keep entries
  std::vector<RowEntry> row, kept;
  std::string encoded;
  for (const auto& [caller, callees] : edges) {
    bool row_found = false;
    BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kEdges, HashKey(caller), &value, &row_found));
    row.clear();
    if (row_found) {
      if (auto problem = DecodeRow(value, &row)) {
        return CorruptValue(path_, Cf::kEdges, HashKey(caller), "edge row: " + *problem);
      }
    }
    bool brought_static = false;
    for (const auto& [callee, counts] : callees) brought_static |= counts.static_count != 0;
    bool drop_static = false;
    if (brought_static) {
      auto state = node(caller);
      if (!state.ok()) return state.status();
      uint64_t& refs = (*state)->values[3];
      if (refs > 0) {
        drop_static = --refs == 0;  // the last update that brought the list
        (*state)->changed = true;
      }
    }
    kept.clear();
    for (RowEntry entry : row) {
      auto mine = callees.find(entry.callee);
      uint64_t static_sub = drop_static ? entry.static_count : 0;
      uint64_t dynamic_sub =
          mine == callees.end()
              ? 0
              : std::min(entry.dynamic_count, Scaled(mine->second.dynamic_count, scale));
      if (mine != callees.end()) ++outcome.edges;
      if ((static_sub | dynamic_sub) == 0) {
        kept.push_back(entry);
        continue;
      }
      entry.static_count -= static_sub;
      entry.dynamic_count -= dynamic_sub;
      removed.static_total = SaturatingAdd(removed.static_total, static_sub);
      removed.dynamic_total = SaturatingAdd(removed.dynamic_total, dynamic_sub);
      auto state = node(entry.callee);
      if (!state.ok()) return state.status();
      NodeState& callee = **state;
      callee.values[0] = Minus(callee.values[0], static_sub);
      callee.values[1] = Minus(callee.values[1], dynamic_sub);
      callee.changed = true;
      if (entry.static_count == 0 && entry.dynamic_count == 0) {
        callee.values[2] = Minus(callee.values[2], 1);  // one caller fewer
        continue;
      }
      kept.push_back(entry);
    }
    if (!row_found) continue;
    if (kept.empty()) {
      BLOBGRAPH_RETURN_IF_ERROR(sink->Delete(Cf::kEdges, HashKey(caller)));
      continue;
    }
    rows_left.insert(caller);
    EncodeRow(kept, &encoded);
    if (encoded != value)
      BLOBGRAPH_RETURN_IF_ERROR(sink->Put(Cf::kEdges, HashKey(caller), encoded));
  }

  // Load statistics: `runs`, continuations and `loads`, folded as Apply adds them.
  std::map<BlobHash, std::pair<uint64_t, uint64_t>> loads;
  auto add_load = [&](const BlobHash& hash, uint64_t run_weight, uint64_t position_weight) {
    auto& load = loads[hash];
    load.first = SaturatingAdd(load.first, run_weight);
    load.second = SaturatingAdd(load.second, position_weight);
  };
  for (const auto& run : profile.runs) {
    for (size_t p = 0; p < run.size(); ++p) {
      add_load(run[p], kRunWeightUnit, SaturatingMul(p, kRunWeightUnit));
    }
  }
  for (const RunContinuation& part : profile.run_continuations) {
    for (size_t i = 0; i < part.loads.size(); ++i) {
      add_load(part.loads[i], kRunWeightUnit,
               SaturatingMul(SaturatingAdd(part.first_position, i), kRunWeightUnit));
    }
  }
  for (const LoadWeights& weights : profile.loads) {
    add_load(weights.hash, weights.run_weight, weights.position_weight);
  }
  std::set<BlobHash> loads_removed;
  for (const auto& [hash, load] : loads) {
    bool load_found = false;
    BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kLoads, HashKey(hash), &value, &load_found));
    if (!load_found) continue;
    uint64_t weights[2];
    if (!DecodeVarints(value, weights, 2)) {
      return CorruptValue(path_, Cf::kLoads, HashKey(hash), "load record does not decode");
    }
    weights[0] = Minus(weights[0], Scaled(load.first, scale));
    weights[1] = Minus(weights[1], Scaled(load.second, scale));
    if (weights[0] == 0) {
      BLOBGRAPH_RETURN_IF_ERROR(sink->Delete(Cf::kLoads, HashKey(hash)));
      loads_removed.insert(hash);
      continue;
    }
    EncodeVarints(weights, 2, &encoded);
    BLOBGRAPH_RETURN_IF_ERROR(sink->Put(Cf::kLoads, HashKey(hash), encoded));
  }
  uint64_t run_weight =
      SaturatingAdd(profile.run_weight, SaturatingMul(profile.runs.size(), kRunWeightUnit));
  if (run_weight != 0) {
    bool runs_found = false;
    BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kMeta, kRunsKey, &value, &runs_found));
    uint64_t runs = 0;
    if (runs_found && !DecodeVarints(value, &runs, 1)) {
      return CorruptValue(path_, Cf::kMeta, kRunsKey, "counter does not decode");
    }
    if (runs_found) {
      runs = Minus(runs, Scaled(run_weight, scale));
      EncodeVarints(&runs, 1, &encoded);
      BLOBGRAPH_RETURN_IF_ERROR(sink->Put(Cf::kMeta, kRunsKey, encoded));
    }
  }

  // Nodes: write the changed ones; remove the functions left with nothing.
  for (auto& [hash, state] : nodes) {
    if (!state.found || !state.changed) continue;
    bool empty =
        state.last_mention && state.values[0] == 0 && state.values[1] == 0 && state.values[2] == 0;
    if (empty && !rows_left.contains(hash) && !edges.contains(hash)) {
      // Not a caller of this profile: does it have a row of its own?
      bool row_found = false;
      BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kEdges, HashKey(hash), &value, &row_found));
      empty = !row_found;
    } else if (rows_left.contains(hash)) {
      empty = false;
    }
    if (empty && !loads_removed.contains(hash)) {
      bool load_found = false;
      BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kLoads, HashKey(hash), &value, &load_found));
      empty = !load_found;
    }
    if (empty) {
      BLOBGRAPH_RETURN_IF_ERROR(sink->Delete(Cf::kNodes, HashKey(hash)));
      BLOBGRAPH_RETURN_IF_ERROR(sink->Delete(Cf::kNames, HashKey(hash)));
      continue;
    }
    EncodeVarints(state.values, kNodeFields, &encoded);
    BLOBGRAPH_RETURN_IF_ERROR(sink->Put(Cf::kNodes, HashKey(hash), encoded));
  }
  // A function known only by its load record (no node) goes with it, name too.
  for (const BlobHash& hash : loads_removed) {
    if (nodes.contains(hash) && nodes[hash].found) continue;
    bool node_found = false;
    BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kNodes, HashKey(hash), &value, &node_found));
    if (!node_found) BLOBGRAPH_RETURN_IF_ERROR(sink->Delete(Cf::kNames, HashKey(hash)));
  }

  // meta "totals", exactly.
  if ((removed.static_total | removed.dynamic_total) != 0) {
    bool totals_found = false;
    BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kMeta, kTotalsKey, &value, &totals_found));
    uint64_t totals[2] = {0, 0};
    if (totals_found && !DecodeVarints(value, totals, 2)) {
      return CorruptValue(path_, Cf::kMeta, kTotalsKey, "totals do not decode");
    }
    totals[0] = Minus(totals[0], removed.static_total);
    totals[1] = Minus(totals[1], removed.dynamic_total);
    EncodeVarints(totals, 2, &encoded);
    BLOBGRAPH_RETURN_IF_ERROR(sink->Put(Cf::kMeta, kTotalsKey, encoded));
  }

  stored.record.retracted = true;
  stored.record.retracted_unix_ms = NowUnixMs();
  EncodeStoredProfile(stored, &encoded);
  BLOBGRAPH_RETURN_IF_ERROR(sink->Put(Cf::kProfiles, id_key, encoded));
  BLOBGRAPH_RETURN_IF_ERROR(sink->Commit());
  return outcome;
}

}  // namespace blobgraph::storage
