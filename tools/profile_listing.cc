#include "tools/profile_listing.h"

#include <cstdio>
#include <ctime>
#include <string>

#include "core/hex.h"
#include "core/quote.h"
#include "tools/command_line.h"

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
  std::snprintf(out, sizeof(out), "%s.%03dZ", buffer, static_cast<int>(((unix_ms % 1000) + 1000) % 1000));
  return out;
}

const char* State(const ProfileRecord& record) { return record.retracted ? "retracted" : "merged"; }

}  // namespace

void PrintProfiles(const std::vector<ProfileRecord>& records, uint64_t total, bool truncated,
                   bool json) {
  if (json) {
    std::printf("{\"profiles\":[");
    for (size_t i = 0; i < records.size(); ++i) {
      const ProfileRecord& r = records[i];
      std::printf("%s{\"id\":\"%s\",\"host\":%s,\"created_unix_ms\":%lld,\"merged_unix_ms\":%lld,"
                  "\"edges\":%llu,\"state\":\"%s\",\"retracted_unix_ms\":%lld,\"digest\":\"%s\"}",
                  i ? "," : "", r.info.IdHex().c_str(), JsonString(r.info.source_host).c_str(),
                  (long long)r.info.created_unix_ms, (long long)r.merged_unix_ms,
                  (unsigned long long)r.edges, State(r), (long long)r.retracted_unix_ms,
                  ToHex(r.digest.data(), r.digest.size()).c_str());
    }
    std::printf("],\"total\":%llu,\"truncated\":%s}\n", (unsigned long long)total,
                truncated ? "true" : "false");
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
