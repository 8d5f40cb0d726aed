// blobgraph retract: take back merged profiles, each exactly once.
#include <cstdio>

#include "core/quote.h"
#include "tools/command_line.h"
#include "tools/profile_input.h"

namespace blobgraph::tools {
namespace {

uint64_t Less(uint64_t before, uint64_t after) { return before > after ? before - after : 0; }

}  // namespace

int RunRetract(const Args& args) {
  CommandLine cli("retract", "retract PROFILE...",
                  "Subtracts from the store exactly what merging each PROFILE added: its\n"
                  "observed calls and load statistics (scaled by the ageing since the merge),\n"
                  "the call sites and functions no other update brought. The store keeps only\n"
                  "a digest of each merged profile, so the file must be the one that was\n"
                  "merged (any format; '-' for stdin; gzip is decompressed): another file\n"
                  "with the same id is refused and nothing changes. A retracted profile stays\n"
                  "listed (blobgraph profiles) and is never merged again. Retracting it twice\n"
                  "says so and changes nothing (exit 0). Exits 1 if any profile failed.");
  cli.flags().add_options()("profile", po::value<std::vector<std::string>>()->required(),
                            "profile files");
  cli.AddPositional("profile", -1);
  if (auto exit_code = cli.Parse(args)) return *exit_code;

  auto store = cli.OpenStore(/*read_only=*/false, /*create=*/false);
  if (!store.ok()) return cli.Fail(store.status());
  int failures = 0;
  for (const std::string& path : cli.Get<std::vector<std::string>>("profile")) {
    std::optional<GraphUpdate> profile = ReadProfileArgument(cli, path, &failures);
    if (!profile) continue;
    const std::string id = profile->profile->IdHex();
    auto before = (*store)->Stats();
    if (!before.ok()) return cli.Fail(before.status());
    auto outcome = (*store)->Retract(*profile);
    if (!outcome.ok()) {
      cli.Fail(outcome.status().WithContext(path));
      ++failures;
      continue;
    }
    if (outcome->already_retracted) {
      std::printf("%s: profile %s was already retracted; nothing changed\n", path.c_str(),
                  id.c_str());
      continue;
    }
    auto after = (*store)->Stats();
    if (!after.ok()) return cli.Fail(after.status());
    std::printf(
        "retracted %s: profile %s from %s: %llu edge entries; subtracted %llu call "
        "sites, %llu observed calls, %llu edges, %llu functions, %llu runs\n",
        path.c_str(), id.c_str(), QuoteForMessage(profile->profile->source_host).c_str(),
        (unsigned long long)outcome->edges,
        (unsigned long long)Less(before->static_total, after->static_total),
        (unsigned long long)Less(before->dynamic_total, after->dynamic_total),
        (unsigned long long)Less(before->edges, after->edges),
        (unsigned long long)Less(before->functions, after->functions),
        (unsigned long long)Less(before->runs, after->runs));
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace blobgraph::tools
