#include "formats/shape_blob.h"

#include <openssl/evp.h>

#include <array>
#include <cstring>

#include "core/hex.h"

namespace blobgraph::formats {
namespace {

constexpr uint8_t kMagic[4] = {'S', 'H', 'B', 'L'};
constexpr uint32_t kVersion = 1;
constexpr uint16_t kDependenciesSection = 5;
constexpr uint16_t kMetadataSection = 1;
constexpr const char* kSectionNames[9] = {"?",           "Metadata",  "Instructions",
                                          "Constants",   "Strings",   "Dependencies",
                                          "TypeSchemas", "SourceMap", "Permissions"};

template <typename T>
T LoadLittle(const uint8_t* p) {
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) value |= static_cast<T>(p[i]) << (8 * i);
  return value;
}

uint64_t LoadBig(const uint8_t* p, size_t n) {
  uint64_t value = 0;
  for (size_t i = 0; i < n; ++i) value = value << 8 | p[i];
  return value;
}

std::string SectionName(uint16_t type) {
  return "section " + std::to_string(type) + " (" + kSectionNames[type] + ")";
}

bool Sha256(std::span<const uint8_t> bytes, uint8_t out[32]) {
  unsigned int size = 0;
  return EVP_Digest(bytes.data(), bytes.size(), out, &size, EVP_sha256(), nullptr) == 1 &&
         size == 32;
}

struct Section {
  uint64_t offset = 0;
  uint64_t length = 0;
  bool present = false;
};

}  // namespace

Result<std::string> ReadMessagePackName(std::span<const uint8_t> m) {
  if (m.empty()) return Status::InvalidInput("metadata is empty, expected a MessagePack array");
  size_t pos;
  uint64_t elements;
  uint8_t tag = m[0];
  if ((tag & 0xf0) == 0x90) {
    elements = tag & 0x0f;
    pos = 1;
  } else if (tag == 0xdc || tag == 0xdd) {
    size_t n = tag == 0xdc ? 2 : 4;
    if (m.size() < 1 + n) return Status::InvalidInput("metadata array header is truncated");
    elements = LoadBig(m.data() + 1, n);
    pos = 1 + n;
  } else {
    return Status::InvalidInput("metadata is not a MessagePack array (type byte 0x" +
                                ToHex(&tag, 1) + ")");
  }
  if (elements == 0) return Status::InvalidInput("metadata array is empty, expected a name first");
  if (pos >= m.size()) return Status::InvalidInput("metadata ends before its first element");
  uint8_t str = m[pos];
  uint64_t length;
  if ((str & 0xe0) == 0xa0) {
    length = str & 0x1f;
    pos += 1;
  } else if (str == 0xd9 || str == 0xda || str == 0xdb) {
    size_t n = str == 0xd9 ? 1 : (str == 0xda ? 2 : 4);
    if (m.size() < pos + 1 + n) return Status::InvalidInput("metadata name header is truncated");
    length = LoadBig(m.data() + pos + 1, n);
    pos += 1 + n;
  } else {
    return Status::InvalidInput("metadata's first element is not a string (type byte 0x" +
                                ToHex(&str, 1) + ")");
  }
  if (length > m.size() - pos) {
    return Status::InvalidInput("metadata name of " + std::to_string(length) +
                                " bytes reaches past the section (" +
                                std::to_string(m.size() - pos) + " bytes left)");
  }
  return std::string(reinterpret_cast<const char*>(m.data() + pos), length);
}

Result<ShapeBlob> ParseShapeBlob(std::span<const uint8_t> bytes, std::string_view path) {
  const std::string where(path);
  auto fail = [&](const std::string& what) { return Status::InvalidInput(where + ": " + what); };
  const uint64_t size = bytes.size();
  if (size < kShapeHeaderBytes) {
    return fail("too short for the header: " + std::to_string(size) +
                " bytes, expected at least 50");
  }
  const uint8_t* p = bytes.data();
  if (std::memcmp(p, kMagic, 4) != 0) {
    return fail("bad magic 0x" + ToHex(p, 4) + ", expected \"SHBL\" (0x5348424c)");
  }
  uint32_t version = LoadLittle<uint32_t>(p + 4);
  if (version != kVersion)
    return fail("unsupported version " + std::to_string(version) + ", expected 1");
  uint64_t total = LoadLittle<uint64_t>(p + 40);
  uint16_t count = LoadLittle<uint16_t>(p + 48);
  uint64_t table_end = kShapeHeaderBytes + uint64_t{kShapeSectionEntryBytes} * count;
  if (table_end > size) {
    return fail("section table truncated: " + std::to_string(count) + " entries end at byte " +
                std::to_string(table_end) + ", file has " + std::to_string(size) + " bytes");
  }
  if (total != size) {
    return fail("total size " + std::to_string(total) + " in the header, file has " +
                std::to_string(size) + " bytes");
  }
  std::array<Section, 9> sections{};
  for (uint16_t i = 0; i < count; ++i) {
    const uint8_t* entry = p + kShapeHeaderBytes + kShapeSectionEntryBytes * i;
    uint16_t type = LoadLittle<uint16_t>(entry);
    uint64_t offset = LoadLittle<uint64_t>(entry + 2);
    uint64_t length = LoadLittle<uint64_t>(entry + 10);
    if (type < 1 || type > 8) {
      return fail("unknown section type 0x" + ToHex(entry + 1, 1) + ToHex(entry, 1) +
                  " in table entry " + std::to_string(i));
    }
    if (sections[type].present) return fail("duplicate " + SectionName(type));
    if (offset < table_end) {
      return fail(SectionName(type) + " starts at offset " + std::to_string(offset) +
                  ", inside the header and section table (which end at byte " +
                  std::to_string(table_end) + ")");
    }
    uint64_t end;
    if (__builtin_add_overflow(offset, length, &end)) {
      return fail(SectionName(type) + " at offset " + std::to_string(offset) + ", length " +
                  std::to_string(length) + " reaches past 2^64, past end of file (" +
                  std::to_string(size) + " bytes)");
    }
    if (end > size) {
      return fail(SectionName(type) + " reaches byte " + std::to_string(end) +
                  " past end of file (" + std::to_string(size) + " bytes)");
    }
    sections[type] = {offset, length, true};
  }
  for (uint16_t type = 1; type <= 8; ++type) {
    if (!sections[type].present) return fail("missing " + SectionName(type));
  }
  const Section& deps = sections[kDependenciesSection];
  if (deps.length % BlobHash::kSize != 0) {
    return fail("Dependencies length " + std::to_string(deps.length) + " is not a multiple of 32");
  }
  uint8_t digest[32];
  if (!Sha256(bytes.subspan(kShapeHeaderBytes), digest)) return fail("SHA-256 failed");
  if (std::memcmp(digest, p + 8, 32) != 0) {
    return fail("content hash mismatch: header says " + ToHex(p + 8, 32) + ", bytes hash to " +
                ToHex(digest, 32));
  }
  ShapeBlob blob;
  blob.content_hash = BlobHash::FromBytes(p + 8);
  const Section& meta = sections[kMetadataSection];
  auto name = ReadMessagePackName(bytes.subspan(meta.offset, meta.length));
  if (!name.ok()) return fail(name.status().message());
  blob.name = std::move(*name);
  blob.dependencies.reserve(deps.length / BlobHash::kSize);
  for (uint64_t at = deps.offset; at < deps.offset + deps.length; at += BlobHash::kSize) {
    blob.dependencies.push_back(BlobHash::FromBytes(p + at));
  }
  return blob;
}

}  // namespace blobgraph::formats
