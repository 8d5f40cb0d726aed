// Shape function blobs (wire format version 1) and blob stores.
//
// Blob layout (all integers little-endian; see data/shape/README.md):
//   0   4   magic "SHBL"
//   4   4   version, u32 = 1
//   8   32  content hash: SHA-256 of every byte after the 50-byte header
//   40  8   total size of the file, u64
//   48  2   section count, u16
//   50  18 x count  section table: type u16, offset u64 (from file start), length u64
// Section types 1 Metadata .. 8 Permissions, each exactly once. Dependencies
// (5) is a concatenation of 32-byte identity hashes; Metadata (1) is a
// MessagePack array whose first element is the function's name.
//
// A store is ROOT/ab/<62 hex>.blob; the path spells the function's identity
// hash (it cannot be recomputed from the bytes). Threads: reentrant.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "blobgraph/blob_hash.h"
#include "blobgraph/graph_store.h"
#include "blobgraph/status.h"

namespace blobgraph::formats {

inline constexpr size_t kShapeHeaderBytes = 50;
inline constexpr size_t kShapeSectionEntryBytes = 18;

struct ShapeBlob {
  std::string name;                    // from Metadata; may be empty
  BlobHash content_hash;               // the header's SHA-256 (not the identity)
  std::vector<BlobHash> dependencies;  // in order, repeats kept
};

// Validates every rule of the wire format, then extracts name and
// dependencies. `path` names the blob in messages:
//   "ab/cd...blob: section 5 (Dependencies) at offset 900, length 64 reaches past end of file (800
//   bytes)"
// Errors: kInvalidInput. Never reads outside `bytes`.
Result<ShapeBlob> ParseShapeBlob(std::span<const uint8_t> bytes, std::string_view path);

// The first element of a MessagePack array, which must be a string
// (fixstr, str8, str16, str32). kInvalidInput naming what is wrong.
Result<std::string> ReadMessagePackName(std::span<const uint8_t> metadata);

struct ShapeStoreOptions {
  bool strict = false;  // a malformed blob fails the whole load
};

struct ShapeProblem {
  std::string path;    // relative to the root, e.g. "ab/cd....blob"
  std::string reason;  // e.g. "content hash mismatch: header says ..., bytes hash to ..."
};

struct DanglingDependency {
  BlobHash caller;
  BlobHash callee;  // no blob file for this hash in the store
};

struct ShapeStoreImport {
  // Per valid blob: static edges (one call site per listed dependency,
  // repeats add), the function in `functions`, its name in `names`.
  GraphUpdate update;
  std::vector<ShapeProblem> problems;        // malformed files, skipped (sorted by path)
  std::vector<DanglingDependency> dangling;  // still imported as edges
  uint64_t blobs = 0;                        // valid blobs imported
  uint64_t call_sites = 0;
};

// Walks ROOT (files ending in ".blob" at any depth; other files are
// ignored), in path order. Errors: kIOError (root unreadable), and with
// options.strict kInvalidInput for the first malformed blob, naming it.
Result<ShapeStoreImport> LoadShapeStore(const std::string& root,
                                        const ShapeStoreOptions& options = {});

}  // namespace blobgraph::formats
