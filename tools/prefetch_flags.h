// The prefetch walk's flags (--depth --top --min-prob --max), shared by the
// prefetch, replay and bench subcommands so their defaults stay the engine's.
#pragma once

#include "blobgraph/engine.h"
#include "tools/command_line.h"

namespace blobgraph::tools {

void AddPrefetchFlags(CommandLine* cli);
// REQUIRES: cli parsed. Usage errors (e.g. --min-prob 2) come back as kInvalidInput.
Result<PrefetchOptions> PrefetchFlags(const CommandLine& cli);
// Engine options for a one-shot command: no background refresh or flush,
// and the probability model's --prior-weight.
Result<EngineOptions> EngineFlags(const CommandLine& cli);
// Room a Prefetch with `options` can use on a snapshot of `functions`
// functions: the walk's min(max_results, kMaxPrefetchResults) plus the
// start-set followers' min(start_follow, kMaxPrefetchResults), at most
// `functions`.
size_t PredictionCapacity(const PrefetchOptions& options, uint64_t functions);

}  // namespace blobgraph::tools
