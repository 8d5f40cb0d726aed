#include "storage/profile_records.h"

#include <bit>
#include <chrono>
#include <cstring>

#include "storage/corrupt_value.h"
#include "storage/key_layout.h"
#include "storage/rocks_status.h"

namespace blobgraph::storage {
namespace {

void PutFixed64(std::string* out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

bool GetFixed64(std::string_view* in, uint64_t* value) {
  if (in->size() < 8) return false;
  *value = 0;
  for (int i = 0; i < 8; ++i) {
    *value |= static_cast<uint64_t>(static_cast<uint8_t>((*in)[i])) << (8 * i);
  }
  in->remove_prefix(8);
  return true;
}

bool ValidAgeing(double ageing) { return ageing > 0.0 && ageing <= 1.0; }

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string_view ProfileKey(const std::array<uint8_t, 16>& id) {
  return {reinterpret_cast<const char*>(id.data()), id.size()};
}

void EncodeStoredProfile(const StoredProfile& profile, std::string* out) {
  const ProfileRecord& record = profile.record;
  out->clear();
  PutVarint(out, record.info.source_host.size());
  out->append(record.info.source_host);
  PutFixed64(out, static_cast<uint64_t>(record.info.created_unix_ms));
  out->append(reinterpret_cast<const char*>(record.digest.data()), record.digest.size());
  PutVarint(out, record.edges);
  PutFixed64(out, static_cast<uint64_t>(record.merged_unix_ms));
  out->push_back(record.retracted ? 1 : 0);
  PutFixed64(out, static_cast<uint64_t>(record.retracted_unix_ms));
  PutFixed64(out, std::bit_cast<uint64_t>(profile.ageing_at_merge));
}

bool DecodeStoredProfile(std::string_view value, StoredProfile* profile) {
  *profile = StoredProfile();
  ProfileRecord& record = profile->record;
  uint64_t host_size = 0, created = 0;
  if (!GetVarint(&value, &host_size) || value.size() < host_size) return false;
  record.info.source_host.assign(value.substr(0, host_size));
  value.remove_prefix(host_size);
  if (!GetFixed64(&value, &created)) return false;
  record.info.created_unix_ms = static_cast<int64_t>(created);
  if (value.empty()) return true;  // merged before digests were kept
  if (value.size() < record.digest.size()) return false;
  std::memcpy(record.digest.data(), value.data(), record.digest.size());
  value.remove_prefix(record.digest.size());
  uint64_t merged = 0, retracted_ms = 0, ageing = 0;
  if (!GetVarint(&value, &record.edges) || !GetFixed64(&value, &merged) || value.empty()) {
    return false;
  }
  uint8_t retracted = static_cast<uint8_t>(value[0]);
  value.remove_prefix(1);
  if (retracted > 1 || !GetFixed64(&value, &retracted_ms) || !GetFixed64(&value, &ageing) ||
      !value.empty()) {
    return false;
  }
  record.merged_unix_ms = static_cast<int64_t>(merged);
  record.retracted = retracted == 1;
  record.retracted_unix_ms = static_cast<int64_t>(retracted_ms);
  profile->ageing_at_merge = std::bit_cast<double>(ageing);
  profile->has_digest = true;
  return ValidAgeing(profile->ageing_at_merge);
}

std::string EncodeAgeing(double ageing) {
  std::string out;
  PutFixed64(&out, std::bit_cast<uint64_t>(ageing));
  return out;
}

Result<double> ReadAgeing(const DbHandles& handles, const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::string value;
  rocksdb::Status got =
      handles.db->Get(read, handles.family(Cf::kMeta),
                      rocksdb::Slice(kAgeingKey.data(), kAgeingKey.size()), &value);
  if (got.IsNotFound()) return 1.0;
  if (!got.ok()) {
    return FromRocks(got, handles.path + ": reading " + DescribeKey(Cf::kMeta, kAgeingKey));
  }
  std::string_view in = value;
  uint64_t bits = 0;
  if (!GetFixed64(&in, &bits) || !in.empty() || !ValidAgeing(std::bit_cast<double>(bits))) {
    return CorruptValue(handles.path, Cf::kMeta, kAgeingKey,
                        "ageing factor is not an 8-byte double in (0, 1]");
  }
  return std::bit_cast<double>(bits);
}

Status EmitProfileRecord(const DbHandles& handles, const GraphUpdate& update, WriteSink* sink) {
  auto ageing = ReadAgeing(handles);
  if (!ageing.ok()) return ageing.status();
  StoredProfile stored;
  stored.record.info = *update.profile;
  stored.record.digest = ProfileDigest(update);
  stored.record.edges = update.edges.size();
  stored.record.merged_unix_ms = NowUnixMs();
  stored.ageing_at_merge = *ageing;
  std::string value;
  EncodeStoredProfile(stored, &value);
  return sink->Put(Cf::kProfiles, ProfileKey(update.profile->id), value);
}

}  // namespace blobgraph::storage
