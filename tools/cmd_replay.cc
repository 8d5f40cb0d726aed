// blobgraph replay: how well would prefetch have done on a recorded run?
#include <algorithm>
#include <cstdio>
#include <iterator>
#include <string>

#include "schema/output_file.h"

#include "tools/prefetch_flags.h"
#include "tools/replay_session.h"
#include "tools/report_fields.h"
#include "tools/trace_input.h"

namespace blobgraph::tools {
namespace {

using formats::CallEvent;

constexpr size_t kDefaultStartSet = 16;
constexpr double kDefaultSweepMaxWaste = 0.30;
// A bound only so the help text reads well: the trace is held in memory, and
// 10^9 events (64 GB of records) is beyond any trace replayed here.
constexpr uint64_t kMaxMinLead = 1'000'000'000;

Result<ReplayReport> ReplayOnce(GraphStore* store, const EngineOptions& engine_options,
                                const std::vector<CallEvent>& events,
                                const ReplaySettings& settings, std::vector<Decision>* decisions) {
  auto engine = Engine::Open(store, engine_options);
  if (!engine.ok()) return engine.status();
  ReplaySession session(engine->get(), settings, decisions);
  for (const CallEvent& event : events) session.OnEvent(event.callee);
  return session.Finish();
}

// One report as the members of the open object (a row of a sweep too).
void WriteReport(const ReplayReport& r, const ReplaySettings& s, JsonReport* report) {
  report->Key("settings").BeginObject();
  WriteWalkSettings(s.prefetch, report);
  report->Field("start_set", s.start_set).Field("min_lead", s.min_lead).EndObject();
  report->Field("events", r.events)
      .Field("distinct_functions", r.distinct_functions)
      .Field("cold_loads", r.cold_loads)
      .Field("covered", r.covered)
      .Field("stalls", r.stalls)
      .Field("coverage", r.coverage())
      .Field("prefetched", r.prefetched)
      .Field("wasted", r.wasted)
      .Field("waste", r.waste())
      .Field("start_set_issued", r.start_set_issued)
      .Field("mean_lead", r.mean_lead());
  report->Key("coverage_at_lead").BeginObject();
  for (uint64_t lead : kCoverageLeads)
    report->Field(std::to_string(lead), r.coverage_at_lead(lead));
  report->EndObject();
  report->Key("lead").BeginObject().Field("median", r.median_lead()).Key("buckets").BeginObject();
  for (size_t i = 0; i < kLeadBuckets; ++i) report->Field(kLeadBucketNames[i], r.lead_buckets[i]);
  report->EndObject().EndObject();
  report->Field("engine_ns_per_event", r.ns_per_event()).Key("engine_feedback").BeginObject();
  WriteFeedbackFields(r.feedback, report);
  report->EndObject();
}

void PrintReport(const ReplayReport& r, const ReplaySettings& s, bool json) {
  if (json) {
    JsonReport report;
    report.BeginObject();
    WriteReport(r, s, &report);
    report.EndObject().Print();
    return;
  }
  std::printf(
      "settings            depth %u, top %u, min-prob %g, max %u, start-set %zu, "
      "min-lead %llu\n",
      s.prefetch.max_depth, s.prefetch.top_n, s.prefetch.min_probability, s.prefetch.max_results,
      s.start_set, (unsigned long long)s.min_lead);
  std::printf("events              %llu\n", (unsigned long long)r.events);
  std::printf("distinct functions  %llu\n", (unsigned long long)r.distinct_functions);
  std::printf("cold loads          %llu\n", (unsigned long long)r.cold_loads);
  std::printf("  covered           %llu\n", (unsigned long long)r.covered);
  std::printf("  stalls            %llu\n", (unsigned long long)r.stalls);
  std::printf("coverage            %.3f  (covered / cold loads)\n", r.coverage());
  std::printf("coverage at lead   ");
  for (size_t i = 0; i < std::size(kCoverageLeads); ++i) {
    std::printf("%s>=%llu %.3f", i ? "  " : "", (unsigned long long)kCoverageLeads[i],
                r.coverage_at_lead(kCoverageLeads[i]));
  }
  std::printf("\n");
  std::printf("prefetched          %llu  (%llu from the start set)\n",
              (unsigned long long)r.prefetched, (unsigned long long)r.start_set_issued);
  std::printf("wasted              %llu\n", (unsigned long long)r.wasted);
  std::printf("waste               %.3f  (wasted / prefetched)\n", r.waste());
  std::printf("mean lead           %.1f events (median %.1f)\n", r.mean_lead(), r.median_lead());
  std::printf("lead buckets        ");
  for (size_t i = 0; i < kLeadBuckets; ++i) {
    std::printf("%s%s: %llu", i ? "  " : "", kLeadBucketNames[i],
                (unsigned long long)r.lead_buckets[i]);
  }
  std::printf("  (covered cold loads by lead, in events)\n");
  std::printf("engine time         %.0f ns per event\n", r.ns_per_event());
  std::printf(
      "engine feedback     %llu requests, %llu issued, %llu hits, %llu wasted, %llu stalls\n",
      (unsigned long long)r.feedback.requests, (unsigned long long)r.feedback.issued,
      (unsigned long long)r.feedback.hits, (unsigned long long)r.feedback.wasted,
      (unsigned long long)r.feedback.stalls);
}

// Through an OutputFile: the file appears whole or not at all.
Status WriteDecisions(const std::string& path, const std::vector<Decision>& decisions) {
  auto out = schema::OutputFile::Open(path);
  if (!out.ok()) return out.status();
  std::string line;
  char hex[BlobHash::kHexSize];
  for (const Decision& decision : decisions) {
    decision.hash.WriteHex(hex);
    line = std::to_string(decision.event);
    line += ' ';
    line.append(hex, sizeof(hex));
    line += '\n';
    BLOBGRAPH_RETURN_IF_ERROR((*out)->Write(line));
  }
  return (*out)->Commit();
}

// The sweep's objective, written once so the output states exactly the
// order SweepRowBefore implements.
std::string SweepObjective(double max_waste) {
  char text[256];
  std::snprintf(text, sizeof(text),
                "highest coverage with waste <= %g; ties: higher coverage at lead >= 10, "
                "then lower waste; rows over the waste bound last, lower waste first",
                max_waste);
  return text;
}

struct SweepRow {
  ReplaySettings settings;
  ReplayReport report;
};

// Strict weak order, best first (see SweepObjective). Every row has the
// same cold loads (the trace's distinct callees), so comparing the ratios
// compares the counts exactly.
bool SweepRowBefore(const SweepRow& a, const SweepRow& b, double max_waste) {
  const ReplayReport& x = a.report;
  const ReplayReport& y = b.report;
  bool x_within = x.waste() <= max_waste, y_within = y.waste() <= max_waste;
  if (x_within != y_within) return x_within;
  if (!x_within) {
    if (x.waste() != y.waste()) return x.waste() < y.waste();
    return x.coverage() > y.coverage();
  }
  if (x.coverage() != y.coverage()) return x.coverage() > y.coverage();
  if (x.coverage_at_lead(10) != y.coverage_at_lead(10)) {
    return x.coverage_at_lead(10) > y.coverage_at_lead(10);
  }
  return x.waste() < y.waste();
}

// Tries a grid of settings around the defaults and prints them best first.
// --min-lead applies to every row, so the ranking is under the same rule.
int Sweep(const CommandLine& cli, GraphStore* store, const EngineOptions& engine_options,
          const std::vector<CallEvent>& events, uint64_t min_lead, double max_waste) {
  std::vector<SweepRow> rows;
  for (uint32_t depth : {1u, 2u, 3u}) {
    for (uint32_t top : {4u, 8u, 16u}) {
      for (double min_prob : {0.1, 0.2, 0.3}) {
        for (size_t start_set : {size_t{0}, size_t{16}, size_t{64}}) {
          ReplaySettings settings;
          settings.prefetch.max_depth = depth;
          settings.prefetch.top_n = top;
          settings.prefetch.min_probability = min_prob;
          settings.start_set = start_set;
          settings.min_lead = min_lead;
          auto report = ReplayOnce(store, engine_options, events, settings, nullptr);
          if (!report.ok()) return cli.Fail(report.status());
          rows.push_back({settings, std::move(*report)});
        }
      }
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [max_waste](const SweepRow& a, const SweepRow& b) {
    return SweepRowBefore(a, b, max_waste);
  });
  std::string objective = SweepObjective(max_waste);
  if (cli.json()) {
    JsonReport report;
    report.BeginObject().Field("objective", objective).Field("max_waste", max_waste);
    report.Key("rows").BeginArray();
    for (const SweepRow& row : rows) {
      report.BeginObject();
      WriteReport(row.report, row.settings, &report);
      report.EndObject();
    }
    report.EndArray().EndObject().Print();
    return 0;
  }
  std::printf("objective: %s (best first)\n", objective.c_str());
  std::printf("depth top min-prob start-set  coverage  cov@10  waste  stalls  prefetched  lead\n");
  for (const SweepRow& row : rows) {
    std::printf("%5u %3u %8.2f %9zu  %8.3f %7.3f %6.3f %7llu %11llu %5.1f\n",
                row.settings.prefetch.max_depth, row.settings.prefetch.top_n,
                row.settings.prefetch.min_probability, row.settings.start_set,
                row.report.coverage(), row.report.coverage_at_lead(10), row.report.waste(),
                (unsigned long long)row.report.stalls, (unsigned long long)row.report.prefetched,
                row.report.mean_lead());
  }
  return 0;
}

}  // namespace

int RunReplay(const Args& args) {
  CommandLine cli(
      "replay",
      "replay --trace FILE [--depth D] [--top N] [--min-prob P] [--max M] "
      "[--start-set K] [--min-lead N] [--decisions OUT] [--sweep [--max-waste W]] [--json]",
      "Replays a recorded run (text, binary or Cap'n Proto trace) against the store\n"
      "as a warm start and reports how many cold loads prefetch would have hidden\n"
      "(coverage) and how much it would have fetched for nothing (waste). The store\n"
      "is not changed. --sweep tries a grid of settings and ranks them.\n"
      "FILE may be '-' (stdin) or a pipe (read once), and gzip content is decompressed.");
  cli.flags().add_options()("trace", po::value<std::string>()->required(), "the recorded run")(
      "format", po::value<std::string>()->default_value("auto"), "auto|text|binary|capnp")(
      "decisions", po::value<std::string>(), "write 'EVENT_INDEX HASH' per prefetched hash")(
      "sweep", "try a grid of settings and print them best first");
  cli.AddWhole("start-set", kDefaultStartSet, {},
               "functions prefetched before the first event (0 = off; at most the store's)");
  cli.AddWhole("min-lead", 1, {1, kMaxMinLead},
               "events a prefetch must precede first use by to cover it (1 = any earlier event)");
  cli.AddReal("max-waste", kDefaultSweepMaxWaste, {0.0, 1.0},
              "--sweep: the waste bound of the objective (rows above it rank last)");
  AddPrefetchFlags(&cli);
  cli.AllowJson();
  if (auto exit_code = cli.Parse(args)) return *exit_code;
  auto prefetch = PrefetchFlags(cli);
  if (!prefetch.ok()) return cli.UsageError(prefetch.status().message());
  auto engine_options = EngineFlags(cli);
  if (!engine_options.ok()) return cli.UsageError(engine_options.status().message());
  auto format = ParseTraceFormatFlag(cli.Get<std::string>("format"));
  if (!format.ok()) return cli.UsageError(format.status().message());

  ProgressTicker progress(cli.quiet(), "reading trace");
  auto events = LoadTrace(cli.Get<std::string>("trace"), *format, &progress);
  if (!events.ok()) return cli.Fail(events.status());
  auto store = cli.OpenStore(/*read_only=*/true, /*create=*/false);
  if (!store.ok()) return cli.Fail(store.status());
  progress.SetPhase("replaying");
  uint64_t min_lead = cli.Whole("min-lead");
  if (cli.Has("sweep")) {
    return Sweep(cli, store->get(), *engine_options, *events, min_lead, cli.Real("max-waste"));
  }

  ReplaySettings settings{*prefetch, cli.Whole("start-set"), min_lead};
  std::vector<Decision> decisions;
  bool want_decisions = cli.Has("decisions");
  auto report = ReplayOnce(store->get(), *engine_options, *events, settings,
                           want_decisions ? &decisions : nullptr);
  if (!report.ok()) return cli.Fail(report.status());
  if (want_decisions) {
    Status written = WriteDecisions(cli.Get<std::string>("decisions"), decisions);
    if (!written.ok()) return cli.Fail(written);
  }
  PrintReport(*report, settings, cli.json());
  return 0;
}

}  // namespace blobgraph::tools
