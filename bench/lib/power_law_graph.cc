#include "bench/lib/power_law_graph.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <unordered_map>

namespace blobgraph::bench {
namespace {

BlobHash RandomHash(std::mt19937_64& rng) {
  uint64_t words[4] = {rng(), rng(), rng(), rng()};
  return BlobHash::FromBytes(words);
}

// Cumulative Zipf weights over ranks 0..n-1; sampling is a binary search.
class ZipfSampler {
 public:
  ZipfSampler(uint64_t n, double skew) : cumulative_(n) {
    double total = 0;
    for (uint64_t r = 0; r < n; ++r) {
      total += 1.0 / std::pow(static_cast<double>(r + 1), skew);
      cumulative_[r] = total;
    }
  }
  uint64_t Sample(std::mt19937_64& rng) const {
    double x = std::uniform_real_distribution<double>(0, cumulative_.back())(rng);
    return static_cast<uint64_t>(std::lower_bound(cumulative_.begin(), cumulative_.end(), x) -
                                 cumulative_.begin());
  }

 private:
  std::vector<double> cumulative_;
};

}  // namespace

PowerLawGraph GeneratePowerLawGraph(const PowerLawOptions& options) {
  std::mt19937_64 rng(options.seed);
  PowerLawGraph graph;
  graph.functions.reserve(options.functions);
  for (uint64_t i = 0; i < options.functions; ++i) graph.functions.push_back(RandomHash(rng));
  if (options.functions == 0) return graph;

  // Popularity rank -> function, shuffled so popular callees are spread out.
  std::vector<uint32_t> by_rank(options.functions);
  for (uint64_t i = 0; i < options.functions; ++i) by_rank[i] = static_cast<uint32_t>(i);
  std::shuffle(by_rank.begin(), by_rank.end(), rng);
  ZipfSampler zipf(options.functions, options.skew);
  std::exponential_distribution<double> sites_per_caller(1.0 / options.degree);

  graph.edges.reserve(static_cast<size_t>(options.functions * options.degree));
  std::vector<uint32_t> callees;
  for (uint64_t caller = 0; caller < options.functions; ++caller) {
    // Rounded, not truncated: truncation made the mean degree - 0.5.
    uint64_t sites =
        options.degree > 0 ? static_cast<uint64_t>(std::llround(sites_per_caller(rng))) : 0;
    callees.clear();
    for (uint64_t s = 0; s < sites; ++s) {
      uint32_t callee = by_rank[zipf.Sample(rng)];
      // As gen_graph.py: a draw of the caller itself is dropped (no self-calls).
      if (callee != caller) callees.push_back(callee);
    }
    std::sort(callees.begin(), callees.end());
    for (size_t i = 0; i < callees.size();) {
      size_t j = i;
      while (j < callees.size() && callees[j] == callees[i]) ++j;
      graph.edges.push_back(EdgeDelta{graph.functions[caller], graph.functions[callees[i]],
                                      static_cast<uint64_t>(j - i), 0});
      graph.call_sites += j - i;
      i = j;
    }
  }
  return graph;
}

std::vector<TraceEvent> GenerateTrace(const PowerLawGraph& graph, uint64_t events, uint64_t seed,
                                      uint32_t max_depth) {
  std::vector<TraceEvent> trace;
  if (graph.functions.empty() || events == 0) return trace;
  std::mt19937_64 rng(seed);
  // Adjacency by caller index, with a hidden call probability per edge.
  std::unordered_map<BlobHash, uint32_t> index;
  index.reserve(graph.functions.size());
  for (uint32_t i = 0; i < graph.functions.size(); ++i) index.emplace(graph.functions[i], i);
  std::vector<uint32_t> offsets(graph.functions.size() + 1, 0);
  for (const EdgeDelta& edge : graph.edges) ++offsets[index[edge.caller] + 1];
  for (size_t i = 1; i < offsets.size(); ++i) offsets[i] += offsets[i - 1];
  std::vector<uint32_t> targets(graph.edges.size());
  std::vector<float> call_probability(graph.edges.size());
  std::vector<uint32_t> fill(offsets.begin(), offsets.end() - 1);
  std::uniform_real_distribution<float> unit(0, 1);
  for (const EdgeDelta& edge : graph.edges) {
    uint32_t slot = fill[index[edge.caller]]++;
    targets[slot] = index[edge.callee];
    float u = unit(rng);
    call_probability[slot] = u * u * u;  // skewed: most edges rarely taken
  }

  // Depth-first execution: a frame walks its call sites in order and enters
  // each callee with that edge's hidden probability.
  ZipfSampler roots(graph.functions.size(), 1.1);
  struct Frame {
    uint32_t function;
    uint32_t next_edge;
    uint32_t depth;
  };
  std::vector<Frame> stack;
  trace.reserve(events);
  while (trace.size() < events) {
    uint32_t root = static_cast<uint32_t>(roots.Sample(rng));
    trace.push_back({BlobHash(), graph.functions[root]});
    stack.assign(1, Frame{root, offsets[root], 0});
    while (!stack.empty() && trace.size() < events) {
      Frame& frame = stack.back();
      if (frame.depth >= max_depth || frame.next_edge >= offsets[frame.function + 1]) {
        stack.pop_back();
        continue;
      }
      uint32_t edge = frame.next_edge++;
      if (unit(rng) >= call_probability[edge]) continue;
      uint32_t callee = targets[edge];
      trace.push_back({graph.functions[frame.function], graph.functions[callee]});
      uint32_t depth = frame.depth + 1;
      stack.push_back(Frame{callee, offsets[callee], depth});
    }
  }
  return trace;
}

}  // namespace blobgraph::bench
