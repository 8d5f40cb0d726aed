// Small input helpers the readers in formats/ share, so that every format
// detection looks at its input the same way: a peeked prefix of the
// (decompressed) input, never a second open of the path.
// Pure functions; one thread per input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "blobgraph/status.h"
#include "schema/input_file.h"

namespace blobgraph::formats::internal {

inline constexpr size_t kDetectPrefixBytes = 4096;

// Up to `max_bytes` from the current position of `input`, not consumed; the
// span is valid until the next call on `input`. Errors: as InputFile::Peek.
Result<std::span<const uint8_t>> PeekPrefix(schema::InputFile& input,
                                            size_t max_bytes = kDetectPrefixBytes);

}  // namespace blobgraph::formats::internal
