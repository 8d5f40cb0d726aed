#include "storage/key_layout.h"

#include "storage/profile_records.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace blobgraph::storage {

const char* CfName(Cf cf) {
  switch (cf) {
    case Cf::kMeta:
      return "default";
    case Cf::kEdges:
      return "edges";
    case Cf::kNodes:
      return "nodes";
    case Cf::kNames:
      return "names";
    case Cf::kLoads:
      return "loads";
    case Cf::kProfiles:
      return "profiles";
    case Cf::kLayers:
      return "layers";
    case Cf::kWaste:
      return "waste";
  }
  return "?";
}

void PutVarint(std::string* out, uint64_t value) {
  char buffer[10];
  size_t n = 0;
  while (value >= 0x80) {
    buffer[n++] = static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  buffer[n++] = static_cast<char>(value);
  out->append(buffer, n);
}

bool GetVarint(std::string_view* in, uint64_t* value) {
  uint64_t result = 0;
  for (size_t i = 0; i < in->size() && i < 10; ++i) {
    uint64_t byte = static_cast<uint8_t>((*in)[i]);
    // The tenth byte may only carry the top bit of a 64-bit value.
    if (i == 9 && byte > 1) return false;
    result |= (byte & 0x7f) << (7 * i);
    if (byte < 0x80) {
      in->remove_prefix(i + 1);
      *value = result;
      return true;
    }
  }
  return false;
}

void EncodeRow(const std::vector<RowEntry>& entries, std::string* out) {
  out->clear();
  PutVarint(out, entries.size());
  for (const RowEntry& entry : entries) {
    out->append(entry.callee.AsBytes());
    PutVarint(out, entry.static_count);
    PutVarint(out, entry.dynamic_count);
  }
}

bool RowReader::Start(uint64_t* count) {
  if (!GetVarint(&rest_, count)) return false;
  // Each entry takes at least 34 bytes; reject counts the bytes cannot hold
  // before anyone reserves memory for them.
  return *count <= rest_.size() / (BlobHash::kSize + 2);
}

bool RowReader::Next(std::string_view* callee, uint64_t* static_count, uint64_t* dynamic_count) {
  if (rest_.size() < BlobHash::kSize) return false;
  *callee = rest_.substr(0, BlobHash::kSize);
  rest_.remove_prefix(BlobHash::kSize);
  return GetVarint(&rest_, static_count) && GetVarint(&rest_, dynamic_count);
}

std::optional<std::string> DecodeRow(std::string_view row, std::vector<RowEntry>* entries) {
  entries->clear();
  RowReader reader(row);
  uint64_t count = 0;
  if (!reader.Start(&count)) return "bad entry count";
  entries->reserve(count);
  std::string_view previous;
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view callee;
    RowEntry entry;
    if (!reader.Next(&callee, &entry.static_count, &entry.dynamic_count)) {
      return "entry " + std::to_string(i) + " of " + std::to_string(count) + " is truncated";
    }
    if (i > 0 && callee <= previous) {
      return "entry " + std::to_string(i) + ": callees not strictly ascending";
    }
    previous = callee;
    entry.callee = BlobHash::FromBytes(callee.data());
    entries->push_back(entry);
  }
  if (!reader.AtEnd()) return "trailing bytes after " + std::to_string(count) + " entries";
  return std::nullopt;
}

void EncodeVarints(const uint64_t* values, size_t count, std::string* out) {
  out->clear();
  for (size_t i = 0; i < count; ++i) PutVarint(out, values[i]);
}

bool DecodeVarints(std::string_view value, uint64_t* values, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    values[i] = 0;
    if (!value.empty() && !GetVarint(&value, &values[i])) return false;
  }
  return value.empty();
}

void EncodeProfile(const ProfileInfo& profile, std::string* out) {
  out->clear();
  PutVarint(out, profile.source_host.size());
  out->append(profile.source_host);
  uint64_t ms = static_cast<uint64_t>(profile.created_unix_ms);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((ms >> (8 * i)) & 0xff));
}

bool DecodeProfile(std::string_view value, ProfileInfo* profile) {
  // Both layouts (with and without the digest): storage/profile_records.h.
  StoredProfile stored;
  if (!DecodeStoredProfile(value, &stored)) return false;
  *profile = std::move(stored.record.info);
  return true;
}

std::string FormatValue(int version) {
  return std::string(kFormatPrefix) + std::to_string(version);
}

std::optional<int> ParseFormatValue(std::string_view value) {
  if (value.substr(0, kFormatPrefix.size()) != kFormatPrefix) return std::nullopt;
  value.remove_prefix(kFormatPrefix.size());
  int version = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), version);
  if (error != std::errc() || end != value.data() + value.size() || version <= 0) {
    return std::nullopt;
  }
  return version;
}

std::string_view HashKey(const BlobHash& hash) { return hash.AsBytes(); }

std::string LayerPrefix(Layer layer, LayerKind kind) {
  return {static_cast<char>(layer), static_cast<char>(kind)};
}

std::string LayerKey(Layer layer, LayerKind kind, const BlobHash* hash) {
  std::string key = LayerPrefix(layer, kind);
  if (hash != nullptr) key.append(hash->AsBytes());
  return key;
}

void EncodeOutgoingInfo(const ProfileInfo& info, std::string* out) {
  std::string profile;
  EncodeProfile(info, &profile);  // varint host length, host, 8-byte ms
  out->assign(reinterpret_cast<const char*>(info.id.data()), info.id.size());
  out->append(profile);
}

bool DecodeOutgoingInfo(std::string_view value, ProfileInfo* info) {
  if (value.size() < 16 + 1 + 8) return false;
  std::copy(value.begin(), value.begin() + 16, info->id.begin());
  value.remove_prefix(16);
  uint64_t host_size = 0;
  size_t used = 0;
  for (int shift = 0; used < value.size() && shift < 64; shift += 7) {
    uint8_t byte = static_cast<uint8_t>(value[used++]);
    host_size |= uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) {
      value.remove_prefix(used);
      if (value.size() != host_size + 8) return false;
      info->source_host.assign(value.substr(0, host_size));
      uint64_t ms = 0;
      for (int i = 0; i < 8; ++i) {
        ms |= uint64_t{static_cast<uint8_t>(value[host_size + i])} << (8 * i);
      }
      info->created_unix_ms = static_cast<int64_t>(ms);
      return true;
    }
  }
  return false;
}

}  // namespace blobgraph::storage
