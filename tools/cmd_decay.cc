// blobgraph decay: ageing, so stale profiles fade.
#include <cstdio>

#include "tools/command_line.h"

namespace blobgraph::tools {

int RunDecay(const Args& args) {
  CommandLine cli("decay", "decay --factor F [--drop-below C]",
                  "Multiplies every dynamic count (and warm-start statistic) by F, rounding\n"
                  "down, then drops edges that have no call sites and fewer than C observed\n"
                  "calls left. Atomic: the store holds the old counts or the new ones.");
  cli.AddReal("factor", std::nullopt, {0.0, 1.0, /*min_open=*/true}, "scale factor",
              /*required=*/true);
  cli.AddWhole("drop-below", 1, {}, "drop dynamic-only edges below C observed calls");
  if (auto exit_code = cli.Parse(args)) return *exit_code;
  double factor = cli.Real("factor");
  auto store = cli.OpenStore(/*read_only=*/false, /*create=*/false);
  if (!store.ok()) return cli.Fail(store.status());
  auto before = (*store)->Stats();
  if (!before.ok()) return cli.Fail(before.status());
  Status status = (*store)->Decay(factor, cli.Whole("drop-below"));
  if (!status.ok()) return cli.Fail(status);
  auto after = (*store)->Stats();
  if (!after.ok()) return cli.Fail(after.status());
  std::printf("decayed by %g: dynamic total %llu -> %llu, edges %llu -> %llu\n", factor,
              (unsigned long long)before->dynamic_total, (unsigned long long)after->dynamic_total,
              (unsigned long long)before->edges, (unsigned long long)after->edges);
  return 0;
}

}  // namespace blobgraph::tools
