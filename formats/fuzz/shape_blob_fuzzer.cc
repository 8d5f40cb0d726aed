// Fuzzes the Shape blob parser (in memory, no file).
#include <cstdint>
#include <span>

#include "formats/shape_blob.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blobgraph;
  auto blob = formats::ParseShapeBlob(std::span<const uint8_t>(data, size), "fuzz.blob");
  if (blob.ok()) {
    // A blob that parses holds its dependencies inside the file.
    if (blob->dependencies.size() * 32 > size) __builtin_trap();
  } else if (blob.status().message().rfind("fuzz.blob: ", 0) != 0) {
    __builtin_trap();
  }
  auto name = formats::ReadMessagePackName(std::span<const uint8_t>(data, size));
  (void)name;
  return 0;
}
