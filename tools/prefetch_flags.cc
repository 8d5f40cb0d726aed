#include "tools/prefetch_flags.h"

#include <algorithm>
#include <limits>

namespace blobgraph::tools {

void AddPrefetchFlags(CommandLine* cli) {
  const PrefetchOptions defaults;
  constexpr uint64_t kMaxU32 = std::numeric_limits<uint32_t>::max();
  cli->AddWhole("depth", defaults.max_depth, {1, kMaxPrefetchDepth},
                "walk depth: 1 = direct callees, 2 adds their callees, ...");
  cli->AddWhole("top", defaults.top_n, {1, kMaxU32},
                "callees expanded per function, most probable first");
  cli->AddReal("min-prob", defaults.min_probability, {0.0, 1.0},
               "minimum path probability (product of edge probabilities)");
  // Any --max is fine: a walk returns at most kMaxPrefetchResults and at
  // most the graph, and buffers are sized by those, not by the flag.
  cli->AddWhole("max", defaults.max_results, {1, kMaxU32},
                "functions returned per walk, at most " + std::to_string(kMaxPrefetchResults));
  cli->AddReal("prior-weight", ProbabilityModel().prior_weight,
               {0.0, ProbabilityModel::kMaxPriorWeight},
               "weight of a static call site, in calls per run of its caller (README, \"Model\")");
}

Result<PrefetchOptions> PrefetchFlags(const CommandLine& cli) {
  PrefetchOptions options;
  // The ranges were checked by CommandLine::Parse; the casts are exact.
  options.max_depth = static_cast<uint32_t>(cli.Whole("depth"));
  options.top_n = static_cast<uint32_t>(cli.Whole("top"));
  options.min_probability = cli.Real("min-prob");
  options.max_results = static_cast<uint32_t>(cli.Whole("max"));
  BLOBGRAPH_RETURN_IF_ERROR(ValidatePrefetchOptions(options));
  return options;
}

Result<EngineOptions> EngineFlags(const CommandLine& cli) {
  EngineOptions options;
  options.refresh_interval = std::chrono::milliseconds(0);
  options.flush_interval = std::chrono::milliseconds(0);
  options.model.prior_weight = cli.Real("prior-weight");
  BLOBGRAPH_RETURN_IF_ERROR(ValidateEngineOptions(options));
  return options;
}

size_t PredictionCapacity(const PrefetchOptions& options, uint64_t functions) {
  return static_cast<size_t>(
      std::min<uint64_t>({options.max_results, kMaxPrefetchResults, functions}));
}

}  // namespace blobgraph::tools
