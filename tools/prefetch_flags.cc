#include "tools/prefetch_flags.h"

namespace blobgraph::tools {

void AddPrefetchFlags(CommandLine* cli) {
  const PrefetchOptions defaults;
  cli->flags().add_options()
      ("depth", po::value<uint32_t>()->default_value(defaults.max_depth),
       "walk depth: 1 = direct callees, 2 adds their callees, ...")
      ("top", po::value<uint32_t>()->default_value(defaults.top_n),
       "callees expanded per function, most probable first")
      ("min-prob", po::value<double>()->default_value(defaults.min_probability),
       "minimum path probability (product of edge probabilities)")
      ("max", po::value<uint32_t>()->default_value(defaults.max_results),
       "maximum functions returned per walk")
      ("prior-weight", po::value<double>()->default_value(ProbabilityModel().prior_weight),
       "weight of a static call site, in calls per run of its caller (README, \"Model\")");
}

Result<PrefetchOptions> PrefetchFlags(const CommandLine& cli) {
  PrefetchOptions options;
  options.max_depth = cli.Get<uint32_t>("depth");
  options.top_n = cli.Get<uint32_t>("top");
  options.min_probability = cli.Get<double>("min-prob");
  options.max_results = cli.Get<uint32_t>("max");
  if (!(options.min_probability >= 0.0 && options.min_probability <= 1.0)) {
    return Status::InvalidInput("--min-prob " + std::to_string(options.min_probability) +
                                " is outside [0, 1]");
  }
  if (options.max_depth == 0 || options.top_n == 0 || options.max_results == 0) {
    return Status::InvalidInput("--depth, --top and --max must be at least 1");
  }
  return options;
}

Result<EngineOptions> EngineFlags(const CommandLine& cli) {
  EngineOptions options;
  options.refresh_interval = std::chrono::milliseconds(0);
  options.flush_interval = std::chrono::milliseconds(0);
  options.model.prior_weight = cli.Get<double>("prior-weight");
  if (!(options.model.prior_weight >= 0.0)) {
    return Status::InvalidInput("--prior-weight must be at least 0");
  }
  return options;
}

}  // namespace blobgraph::tools
