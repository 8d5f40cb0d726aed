// Synthetic power-law call graphs and traces for benchmarks.
//
// Mirrors ../shared/data/gen_graph.py's model: each function makes an
// exponentially distributed number of call sites (mean `degree`); callees are
// drawn with Zipf-like popularity (exponent `skew`), so a few functions are
// called from everywhere. A callee drawn twice by one caller is two call
// sites. Hashes are pseudo-random 32-byte values from the seed (they name
// nothing; only their distribution matters). Same options, same graph.
#pragma once

#include <cstdint>
#include <vector>

#include "blobgraph/blob_hash.h"
#include "blobgraph/graph_store.h"

namespace blobgraph::bench {

struct PowerLawOptions {
  uint64_t functions = 10000;
  double degree = 8.0;
  double skew = 1.1;
  uint64_t seed = 1;
};

struct PowerLawGraph {
  std::vector<BlobHash> functions;
  // One entry per distinct (caller, callee), static_count = call sites,
  // grouped by caller in function order.
  std::vector<EdgeDelta> edges;
  uint64_t call_sites = 0;
};

PowerLawGraph GeneratePowerLawGraph(const PowerLawOptions& options);

struct TraceEvent {
  BlobHash caller;
  BlobHash callee;
};

// A function-entry trace that walks the graph like a running program: from a
// root (chosen by popularity), each function calls each of its callees with a
// hidden per-edge probability unrelated to its call-site share, down to
// `max_depth`. Roots have a zero caller.
std::vector<TraceEvent> GenerateTrace(const PowerLawGraph& graph, uint64_t events, uint64_t seed,
                                      uint32_t max_depth = 6);

}  // namespace blobgraph::bench
