#include "formats/file_io.h"

namespace blobgraph::formats::internal {

Result<std::span<const uint8_t>> PeekPrefix(schema::InputFile& input, size_t max_bytes) {
  auto prefix = input.Peek(max_bytes);
  if (!prefix.ok()) return prefix.status();
  return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(prefix->data()), prefix->size());
}

}  // namespace blobgraph::formats::internal
