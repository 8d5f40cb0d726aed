#include "formats/formats_test_util.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace blobgraph::formats::testing {

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/blobgraph_formats_XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

BlobHash TestHash(uint64_t index) {
  BlobHash hash;
  uint64_t x = index * 0x9E3779B97F4A7C15ull + 0x1234567ull;
  for (size_t i = 0; i < BlobHash::kSize; ++i) {
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 32;
    hash.mutable_data()[i] = static_cast<uint8_t>(x);
  }
  return hash;
}

std::string DataPath(const std::string& relative) {
  return std::string(BLOBGRAPH_TEST_DATA_DIR) + "/" + relative;
}

}  // namespace blobgraph::formats::testing
