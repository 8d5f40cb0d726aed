#include "formats/profile_counts.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace blobgraph::formats {
namespace {

bool Add(uint64_t* sum, uint64_t more) { return !__builtin_add_overflow(*sum, more, sum); }

Status Overflow(const std::string& path, size_t index, const EdgeDelta& edge, const char* what) {
  return Status::InvalidInput(path + ": edge #" + std::to_string(index + 1) + " (" +
                              edge.caller.ToHex() + " -> " + edge.callee.ToHex() + "): " + what +
                              " sum past 2^64 - 1 within the file");
}

// Loads: summed per function (what the store adds to one load record).
Status CheckLoadCounts(const std::string& path, const std::vector<LoadWeights>& loads) {
  uint64_t run_total = 0, position_total = 0;
  bool fits = true;
  for (const LoadWeights& load : loads) {
    if (!Add(&run_total, load.run_weight) || !Add(&position_total, load.position_weight)) {
      fits = false;
      break;
    }
  }
  if (fits) return Status::Ok();
  std::vector<size_t> order(loads.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return loads[a].hash < loads[b].hash; });
  // The first entry in file order at which some function's sum overflows.
  size_t worst = SIZE_MAX;
  const char* what = nullptr;
  for (size_t i = 0; i < order.size();) {
    const BlobHash& hash = loads[order[i]].hash;
    uint64_t run_sum = 0, position_sum = 0;
    bool overflowed = false;
    for (; i < order.size() && loads[order[i]].hash == hash; ++i) {
      if (overflowed) continue;
      const LoadWeights& load = loads[order[i]];
      bool run_ok = Add(&run_sum, load.run_weight);
      bool position_ok = Add(&position_sum, load.position_weight);
      if ((!run_ok || !position_ok) && order[i] < worst) {
        worst = order[i];
        what = !run_ok ? "the function's run weights" : "the function's position weights";
      }
      overflowed = !run_ok || !position_ok;
    }
  }
  if (what == nullptr) return Status::Ok();
  return Status::InvalidInput(path + ": load #" + std::to_string(worst + 1) + " (" +
                              loads[worst].hash.ToHex() + "): " + what +
                              " sum past 2^64 - 1 within the file");
}

}  // namespace

Status CheckProfileCounts(const std::string& path, const GraphUpdate& update) {
  BLOBGRAPH_RETURN_IF_ERROR(CheckLoadCounts(path, update.loads));
  // Fast path: if the whole file's sums fit, every per-caller sum does.
  uint64_t static_total = 0, dynamic_total = 0;
  bool fits = true;
  for (const EdgeDelta& edge : update.edges) {
    if (!Add(&static_total, edge.static_count) || !Add(&dynamic_total, edge.dynamic_count)) {
      fits = false;
      break;
    }
  }
  if (fits) return Status::Ok();
  // Rare: group by caller (stable, so the entry named is the first in file
  // order at which its caller's sum overflows).
  std::vector<size_t> order(update.edges.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return update.edges[a].caller < update.edges[b].caller;
  });
  for (size_t i = 0; i < order.size();) {
    const BlobHash& caller = update.edges[order[i]].caller;
    uint64_t caller_static = 0, caller_dynamic = 0;
    size_t worst = SIZE_MAX;
    const char* what = nullptr;
    for (; i < order.size() && update.edges[order[i]].caller == caller; ++i) {
      const EdgeDelta& edge = update.edges[order[i]];
      if (!Add(&caller_static, edge.static_count) && order[i] < worst) {
        worst = order[i], what = "the caller's static counts";
      }
      if (!Add(&caller_dynamic, edge.dynamic_count) && order[i] < worst) {
        worst = order[i], what = "the caller's dynamic counts";
      }
      if (what != nullptr) {  // the first overflow of this caller, in file order
        return Overflow(path, worst, update.edges[worst], what);
      }
    }
  }
  return Status::Ok();
}

}  // namespace blobgraph::formats
