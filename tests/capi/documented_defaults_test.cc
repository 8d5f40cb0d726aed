// Every default blobgraph/c.h documents ("/* default V ... */" beside a field
// of an options struct) is what that struct's _init function writes, and
// every field of an options struct documents its default: a header that
// drifts from the code (it once said 64 MiB for a 512 MiB cache) fails here.
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "blobgraph/c.h"

namespace blobgraph::capi_test {
namespace {

// "struct.field" -> the documented default as a number (NULL = 0, "32 MiB"
// = 33554432); fields without a "default" comment map to NaN.
std::map<std::string, double> DocumentedDefaults() {
  std::ifstream header(std::string(BLOBGRAPH_SOURCE_DIR) + "/include/blobgraph/c.h");
  std::stringstream text;
  text << header.rdbuf();
  std::string all = text.str();
  std::map<std::string, double> defaults;
  std::regex structure(R"(typedef struct (blobgraph_\w+_options) \{([^}]*)\})");
  std::regex field(
      R"(\n\s*(?:const )?(?:u?int\d+_t|int|double|char|blobgraph_\w+)[ *]+(\w+);[ \t]*(/\*[^\n]*)?)");
  std::regex documented(R"(default (NULL|[-0-9.]+)( (KiB|MiB|GiB))?)");
  for (std::sregex_iterator s(all.begin(), all.end(), structure), end; s != end; ++s) {
    std::string name = (*s)[1], body = (*s)[2];
    for (std::sregex_iterator f(body.begin(), body.end(), field); f != end; ++f) {
      std::string member = (*f)[1], comment = (*f)[2];
      if (member == "struct_size" || member == "prefetch") continue;  // set by _init; a struct
      std::smatch value;
      double number = std::nan("");
      if (std::regex_search(comment, value, documented)) {
        number = value[1] == "NULL" ? 0.0 : std::stod(value[1]);
        if (value[3] == "KiB") number *= 1024.0;
        if (value[3] == "MiB") number *= 1024.0 * 1024.0;
        if (value[3] == "GiB") number *= 1024.0 * 1024.0 * 1024.0;
      }
      defaults[name + "." + member] = number;
    }
  }
  return defaults;
}

double Pointer(const void* p) { return p == nullptr ? 0.0 : 1.0; }

// What the _init functions write, field by field.
std::map<std::string, double> InitialisedValues() {
  std::map<std::string, double> values;
  blobgraph_store_options store;
  EXPECT_EQ(blobgraph_store_options_init(&store), BLOBGRAPH_OK);
  values["blobgraph_store_options.create_if_missing"] = store.create_if_missing;
  values["blobgraph_store_options.read_only"] = store.read_only;
  values["blobgraph_store_options.sync_writes"] = store.sync_writes;
  values["blobgraph_store_options.prior_weight"] = store.prior_weight;
  values["blobgraph_store_options.block_cache_bytes"] =
      static_cast<double>(store.block_cache_bytes);

  blobgraph_prefetch_options prefetch;
  EXPECT_EQ(blobgraph_prefetch_options_init(&prefetch), BLOBGRAPH_OK);
  values["blobgraph_prefetch_options.max_depth"] = prefetch.max_depth;
  values["blobgraph_prefetch_options.top_n"] = prefetch.top_n;
  values["blobgraph_prefetch_options.min_probability"] = prefetch.min_probability;
  values["blobgraph_prefetch_options.max_results"] = prefetch.max_results;
  values["blobgraph_prefetch_options.enabled"] = prefetch.enabled;
  values["blobgraph_prefetch_options.start_follow"] = prefetch.start_follow;

  blobgraph_engine_options engine;
  EXPECT_EQ(blobgraph_engine_options_init(&engine), BLOBGRAPH_OK);
  values["blobgraph_engine_options.hot_budget_bytes"] =
      static_cast<double>(engine.hot_budget_bytes);
  values["blobgraph_engine_options.refresh_interval_ms"] = engine.refresh_interval_ms;
  values["blobgraph_engine_options.flush_interval_ms"] = engine.flush_interval_ms;
  values["blobgraph_engine_options.max_pending_edges"] =
      static_cast<double>(engine.max_pending_edges);
  values["blobgraph_engine_options.waste_window"] = static_cast<double>(engine.waste_window);
  values["blobgraph_engine_options.tracked_functions"] =
      static_cast<double>(engine.tracked_functions);
  values["blobgraph_engine_options.prior_weight"] = engine.prior_weight;

  blobgraph_client_options client;
  EXPECT_EQ(blobgraph_client_options_init(&client), BLOBGRAPH_OK);
  values["blobgraph_client_options.address"] = Pointer(client.address);
  values["blobgraph_client_options.token_file"] = Pointer(client.token_file);
  values["blobgraph_client_options.token"] = Pointer(client.token);
  values["blobgraph_client_options.tls"] = client.tls;
  values["blobgraph_client_options.tls_ca_file"] = Pointer(client.tls_ca_file);
  values["blobgraph_client_options.tls_server_name"] = Pointer(client.tls_server_name);
  values["blobgraph_client_options.max_attempts"] = client.max_attempts;
  values["blobgraph_client_options.retry_backoff_ms"] = client.retry_backoff_ms;
  values["blobgraph_client_options.call_timeout_ms"] = client.call_timeout_ms;

  blobgraph_pull_options pull;
  EXPECT_EQ(blobgraph_pull_options_init(&pull), BLOBGRAPH_OK);
  values["blobgraph_pull_options.max_functions"] = static_cast<double>(pull.max_functions);
  values["blobgraph_pull_options.max_bytes"] = static_cast<double>(pull.max_bytes);
  values["blobgraph_pull_options.min_calls"] = static_cast<double>(pull.min_calls);
  values["blobgraph_pull_options.include_names"] = pull.include_names;
  return values;
}

TEST(DocumentedDefaultsTest, EveryDocumentedDefaultIsWhatInitWrites) {
  std::map<std::string, double> documented = DocumentedDefaults();
  std::map<std::string, double> initialised = InitialisedValues();
  EXPECT_GE(documented.size(), 30u);  // the parse found the structs
  for (const auto& [field, value] : documented) {
    EXPECT_FALSE(std::isnan(value)) << field << " documents no default";
    auto actual = initialised.find(field);
    if (actual == initialised.end()) {
      ADD_FAILURE() << field << " is documented but this test does not read it";
      continue;
    }
    EXPECT_EQ(actual->second, value) << field;
  }
  for (const auto& [field, value] : initialised) {
    EXPECT_TRUE(documented.count(field)) << field << " is not a field of blobgraph/c.h";
  }
}

}  // namespace
}  // namespace blobgraph::capi_test
