// Reader limits for Cap'n Proto messages from untrusted files and peers.
//
// One chunk holds at most kMaxChunkEntries entries (schema/blobgraph.capnp);
// the traversal limit allows a full chunk of the largest entry kind with
// room to spare, and nothing much larger, so a message that lies about its
// size is refused before it can make us allocate or loop without bound.
#pragma once

#include <capnp/message.h>

#include <cstdint>

namespace blobgraph::schema {

// Words one full chunk may need: 64k functions of ~16 call sites each, or
// 64k edges; generous, but bounded (about 256 MiB).
inline constexpr uint64_t kMaxMessageWords = 32ull << 20;
inline constexpr int kMaxNesting = 16;

capnp::ReaderOptions UntrustedReaderOptions();

}  // namespace blobgraph::schema
