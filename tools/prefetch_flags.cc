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
  cli->AddWhole("start-follow", defaults.start_follow, {0, kMaxPrefetchResults},
                "start-set functions released after a start-set function is entered (0 = off)");
  cli->AddReal("prior-weight", ProbabilityModel().prior_weight,
               {0.0, ProbabilityModel::kMaxPriorWeight}, "hot-set score of a call site, in calls");
  const PrefetchModel model;
  cli->AddReal("prior-runs", model.prior_runs, {0.0, 1e6}, "prior's worth in runs");
  cli->AddReal("callee-prior-runs", model.callee_prior_runs, {0.0, 1e6},
               "runs the list precision is worth per callee");
}

Result<PrefetchOptions> PrefetchFlags(const CommandLine& cli) {
  PrefetchOptions options;
  // The ranges were checked by CommandLine::Parse; the casts are exact.
  options.max_depth = static_cast<uint32_t>(cli.Whole("depth"));
  options.top_n = static_cast<uint32_t>(cli.Whole("top"));
  options.min_probability = cli.Real("min-prob");
  options.max_results = static_cast<uint32_t>(cli.Whole("max"));
  options.start_follow = static_cast<uint32_t>(cli.Whole("start-follow"));
  BLOBGRAPH_RETURN_IF_ERROR(ValidatePrefetchOptions(options));
  return options;
}

Result<EngineOptions> EngineFlags(const CommandLine& cli) {
  EngineOptions options;
  options.refresh_interval = std::chrono::milliseconds(0);
  options.flush_interval = std::chrono::milliseconds(0);
  options.model.prior_weight = cli.Real("prior-weight");
  options.prefetch_model.prior_runs = cli.Real("prior-runs");
  options.prefetch_model.callee_prior_runs = cli.Real("callee-prior-runs");
  BLOBGRAPH_RETURN_IF_ERROR(ValidateEngineOptions(options));
  return options;
}

size_t PredictionCapacity(const PrefetchOptions& options, uint64_t functions) {
  uint64_t walk = std::min<uint64_t>(options.max_results, kMaxPrefetchResults);
  uint64_t follow = std::min<uint64_t>(options.start_follow, kMaxPrefetchResults);
  return static_cast<size_t>(std::min<uint64_t>(walk + follow, functions));
}

}  // namespace blobgraph::tools
