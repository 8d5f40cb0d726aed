#include "tools/profile_listing.h"

#include <cstdio>
#include <ctime>
#include <string>

#include "core/hex.h"
#include "core/quote.h"
#include "tools/json_report.h"

namespace blobgraph::tools {
namespace {

// "2026-12-01T20:11:20.123Z", or "-" for 0 (not recorded).
std::string UtcTime(int64_t unix_ms) {
  if (unix_ms == 0) return "-";
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  if (gmtime_r(&seconds, &utc) == nullptr) return std::to_string(unix_ms) + "ms";
  char buffer[40];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%S", &utc);
  char out[64];
  std::snprintf(out, sizeof(out), "%s.%03dZ", buffer,
                static_cast<int>(((unix_ms % 1000) + 1000) % 1000));
  return out;
}

const char* State(const ProfileRecord& record) { return record.retracted ? "retracted" : "merged"; }

}  // namespace

void PrintProfiles(const std::vector<ProfileRecord>& records, uint64_t total, bool truncated,
                   bool json) {
  if (json) {
    JsonReport report;
    report.BeginObject().Key("profiles").BeginArray();
    for (const ProfileRecord& r : records) {
      report.BeginObject()
          .Field("id", r.info.IdHex())
          .Field("host", r.info.source_host)
          .Field("created_unix_ms", r.info.created_unix_ms)
          .Field("merged_unix_ms", r.merged_unix_ms)
          .Field("edges", r.edges)
          .Field("state", State(r))
          .Field("retracted_unix_ms", r.retracted_unix_ms)
          .Field("digest", ToHex(r.digest.data(), r.digest.size()))
          .EndObject();
    }
    report.EndArray().Field("total", total).Field("truncated", truncated).EndObject().Print();
    return;
  }
  if (records.empty()) {
    std::printf("no profiles merged\n");
    return;
  }
  std::printf("%-32s  %-9s  %-24s  %-24s  %10s  %s\n", "id", "state", "created", "merged", "edges",
              "host");
  for (const ProfileRecord& r : records) {
    std::string state = State(r);
    std::printf("%-32s  %-9s  %-24s  %-24s  %10llu  %s", r.info.IdHex().c_str(), state.c_str(),
                UtcTime(r.info.created_unix_ms).c_str(), UtcTime(r.merged_unix_ms).c_str(),
                (unsigned long long)r.edges, QuoteForMessage(r.info.source_host).c_str());
    if (r.retracted) std::printf("  (retracted %s)", UtcTime(r.retracted_unix_ms).c_str());
    std::printf("\n");
  }
  std::printf("%llu profiles", (unsigned long long)total);
  if (truncated) {
    std::printf(" (listing truncated to the first %zu: the server caps its answer)",
                records.size());
  }
  std::printf("\n");
}

}  // namespace blobgraph::tools
