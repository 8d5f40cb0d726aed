#include "tools/report_fields.h"

namespace blobgraph::tools {

void WriteFunctionFields(const BlobHash& hash, const NameLookup& names, JsonReport* report) {
  report->Field("hash", hash).Field("name", names.Name(hash));
}

void WriteCalleeFields(const CalleeInfo& callee, const NameLookup& names, JsonReport* report) {
  WriteFunctionFields(callee.callee, names, report);
  report->Field("static", callee.static_count)
      .Field("dynamic", callee.dynamic_count)
      .Field("probability", callee.probability);
}

void WriteNodeCounts(const NodeRecord& node, JsonReport* report) {
  report->Field("in_static", node.in_static)
      .Field("in_dynamic", node.in_dynamic)
      .Field("out_static", node.out_static)
      .Field("out_dynamic", node.out_dynamic)
      .Field("caller_count", node.callers)
      .Field("callee_count", node.callees);
}

void WriteStoreCounts(const StoreStats& stats, JsonReport* report) {
  report->Field("functions", stats.functions)
      .Field("edges", stats.edges)
      .Field("static_total", stats.static_total)
      .Field("dynamic_total", stats.dynamic_total)
      .Field("bytes_on_disk", stats.bytes_on_disk)
      .Field("runs", stats.runs)
      .Field("profiles", stats.profiles);
}

void WriteFeedbackFields(const FeedbackStats& feedback, JsonReport* report) {
  report->Field("requests", feedback.requests)
      .Field("issued", feedback.issued)
      .Field("hits", feedback.hits)
      .Field("wasted", feedback.wasted)
      .Field("stalls", feedback.stalls);
}

void WriteWalkSettings(const PrefetchOptions& options, JsonReport* report) {
  report->Field("depth", options.max_depth)
      .Field("top", options.top_n)
      .Field("min_prob", options.min_probability)
      .Field("max", options.max_results)
      .Field("start_follow", options.start_follow);
}

}  // namespace blobgraph::tools
