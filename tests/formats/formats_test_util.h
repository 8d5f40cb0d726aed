// Helpers for the formats tests: temporary directories, files, hashes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "blobgraph/blob_hash.h"

namespace blobgraph::formats::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& bytes);
std::string ReadFile(const std::string& path);
// A distinct, deterministic hash per index (SHA-like spread bytes).
BlobHash TestHash(uint64_t index);
// The committed fixtures under data/.
std::string DataPath(const std::string& relative);

}  // namespace blobgraph::formats::testing
