// blobgraph_client_*, blobgraph_push_profile, blobgraph_pull*: the profile
// server's client (server::ProfileClient) behind a handle. The client is
// already thread-safe (it serialises calls on its own event-loop thread), so
// this layer only converts options, results and errors.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "blobgraph/profile_client.h"
#include "blobgraph/profile_io.h"
#include "capi/c_api_internal.h"

using namespace blobgraph;
using namespace blobgraph::capi;

namespace {

// What a blobgraph_client handle names. Owns the client (and so its
// connection and event-loop thread).
struct ClientObject {
  std::unique_ptr<server::ProfileClient> client;
  std::string address;
};

ClientObject* LookupClient(blobgraph_client* handle) noexcept {
  return static_cast<ClientObject*>(
      HandleTable::Get().Lookup(reinterpret_cast<uintptr_t>(handle), HandleKind::kClient));
}

bool Given(const char* text) { return text != nullptr && text[0] != '\0'; }

blobgraph_status StructSizeMismatch(const char* function, uint32_t found, size_t expected,
                                    const char* init) {
  return Fail(BLOBGRAPH_INVALID_ARGUMENT,
              std::string(function) + ": options.struct_size is " + std::to_string(found) +
                  ", expected " + std::to_string(expected) + " (initialise with " + init + ")");
}

// The caller's options as the C++ client's. The token file is read here, so
// an unreadable one fails before any connection is tried.
blobgraph_status ReadClientOptions(const char* function, const blobgraph_client_options& in,
                                   server::ClientOptions* out) {
  if (in.struct_size != sizeof(blobgraph_client_options)) {
    return StructSizeMismatch(function, in.struct_size, sizeof(blobgraph_client_options),
                              "blobgraph_client_options_init");
  }
  if (!Given(in.address)) return NullArgument(function, "options.address");
  if (Given(in.token) && Given(in.token_file)) {
    return Fail(BLOBGRAPH_INVALID_ARGUMENT,
                std::string(function) +
                    ": options.token and options.token_file are both set; "
                    "give one");
  }
  if (in.max_attempts == 0 || in.call_timeout_ms == 0) {
    return Fail(BLOBGRAPH_INVALID_ARGUMENT,
                std::string(function) + ": options.max_attempts is " +
                    std::to_string(in.max_attempts) + " and options.call_timeout_ms is " +
                    std::to_string(in.call_timeout_ms) + ", expected both >= 1");
  }
  out->address = in.address;
  if (Given(in.token)) {
    out->token = in.token;
  } else if (Given(in.token_file)) {
    auto token = server::ReadTokenFile(in.token_file);
    if (!token.ok()) return FromStatus(token.status().WithContext(function));
    out->token = std::move(*token);
  }
  out->tls.enabled = in.tls != 0 || Given(in.tls_ca_file);
  if (Given(in.tls_ca_file)) out->tls.ca_file = in.tls_ca_file;
  if (Given(in.tls_server_name)) out->tls.server_name = in.tls_server_name;
  out->max_attempts = in.max_attempts;
  out->retry_backoff = std::chrono::milliseconds(in.retry_backoff_ms);
  out->call_timeout = std::chrono::milliseconds(in.call_timeout_ms);
  return BLOBGRAPH_OK;
}

blobgraph_status ReadPullOptions(const char* function, const blobgraph_pull_options* in,
                                 server::PullOptions* out) {
  if (in == nullptr) return BLOBGRAPH_OK;
  if (in->struct_size != sizeof(blobgraph_pull_options)) {
    return StructSizeMismatch(function, in->struct_size, sizeof(blobgraph_pull_options),
                              "blobgraph_pull_options_init");
  }
  out->max_functions = in->max_functions;
  out->max_bytes = in->max_bytes;
  out->min_calls = in->min_calls;
  out->include_names = in->include_names != 0;
  return BLOBGRAPH_OK;
}

}  // namespace

extern "C" {

blobgraph_status blobgraph_client_options_init(blobgraph_client_options* options) {
  if (options == nullptr) return NullArgument("blobgraph_client_options_init", "options");
  server::ClientOptions defaults;
  std::memset(options, 0, sizeof(*options));
  options->struct_size = sizeof(blobgraph_client_options);
  options->tls = defaults.tls.enabled ? 1 : 0;
  options->max_attempts = defaults.max_attempts;
  options->retry_backoff_ms = static_cast<uint32_t>(defaults.retry_backoff.count());
  options->call_timeout_ms = static_cast<uint32_t>(defaults.call_timeout.count());
  return BLOBGRAPH_OK;
}

blobgraph_status blobgraph_client_connect(const blobgraph_client_options* options,
                                          blobgraph_client** out) {
  static constexpr const char* kFunction = "blobgraph_client_connect";
  if (out == nullptr) return NullArgument(kFunction, "out");
  *out = nullptr;
  if (options == nullptr) return NullArgument(kFunction, "options");
  return Guard(kFunction, [&] {
    server::ClientOptions client_options;
    if (blobgraph_status s = ReadClientOptions(kFunction, *options, &client_options)) return s;
    auto client = server::ProfileClient::Connect(client_options);
    if (!client.ok()) return FromStatus(client.status().WithContext(kFunction));
    auto object = std::make_unique<ClientObject>();
    object->client = std::move(*client);
    object->address = client_options.address;
    uintptr_t token = HandleTable::Get().Insert(object.get(), HandleKind::kClient);
    if (token == 0) {
      return Fail(BLOBGRAPH_INTERNAL, std::string(kFunction) + ": server " + object->address +
                                          ": too many open handles");
    }
    static_cast<void>(object.release());  // now owned by the handle table entry
    *out = reinterpret_cast<blobgraph_client*>(token);
    return BLOBGRAPH_OK;
  });
}

blobgraph_status blobgraph_client_close(blobgraph_client* client) {
  static constexpr const char* kFunction = "blobgraph_client_close";
  return Guard(kFunction, [&] {
    auto* object = static_cast<ClientObject*>(
        HandleTable::Get().Remove(reinterpret_cast<uintptr_t>(client), HandleKind::kClient));
    if (object == nullptr) return ClosedHandle(kFunction, "client");
    delete object;  // closes the connection, joins the event-loop thread
    return BLOBGRAPH_OK;
  });
}

blobgraph_status blobgraph_push_profile(blobgraph_client* client, const char* path,
                                        int* already_applied) {
  static constexpr const char* kFunction = "blobgraph_push_profile";
  return Guard(kFunction, [&] {
    ClientObject* object = LookupClient(client);
    if (object == nullptr) return ClosedHandle(kFunction, "client");
    if (path == nullptr) return NullArgument(kFunction, "path");
    auto profile = formats::ReadProfile(path);
    if (!profile.ok()) return FromStatus(profile.status().WithContext(kFunction));
    // The id read from the file is what makes a repeated push a no-op.
    auto pushed = object->client->Push(*profile);
    if (!pushed.ok()) {
      return FromStatus(pushed.status().WithContext(path).WithContext(kFunction));
    }
    if (already_applied != nullptr) *already_applied = pushed->already_applied ? 1 : 0;
    return BLOBGRAPH_OK;
  });
}

blobgraph_status blobgraph_pull_options_init(blobgraph_pull_options* options) {
  if (options == nullptr) return NullArgument("blobgraph_pull_options_init", "options");
  server::PullOptions defaults;
  std::memset(options, 0, sizeof(*options));
  options->struct_size = sizeof(blobgraph_pull_options);
  options->max_functions = defaults.max_functions;
  options->max_bytes = defaults.max_bytes;
  options->min_calls = defaults.min_calls;
  options->include_names = defaults.include_names ? 1 : 0;
  return BLOBGRAPH_OK;
}

blobgraph_status blobgraph_pull(blobgraph_client* client, blobgraph_store* store,
                                const blobgraph_pull_options* options,
                                blobgraph_pull_stats* stats) {
  static constexpr const char* kFunction = "blobgraph_pull";
  return Guard(kFunction, [&] {
    ClientObject* object = LookupClient(client);
    if (object == nullptr) return ClosedHandle(kFunction, "client");
    StoreObject* store_object = LookupStore(store);
    if (store_object == nullptr) return ClosedHandle(kFunction, "store");
    server::PullOptions pull_options;
    if (blobgraph_status s = ReadPullOptions(kFunction, options, &pull_options)) return s;
    auto pulled = object->client->Pull(pull_options);
    if (!pulled.ok()) return FromStatus(pulled.status().WithContext(kFunction));
    // One Apply: the pulled graph lands whole or not at all, replacing the
    // previous pull (UpdateOrigin::kPulled).
    pulled->source = UpdateOrigin::kPulled;
    Status applied = store_object->store->Apply(*pulled);
    if (!applied.ok()) {
      return FromStatus(applied.WithContext("store " + store_object->path).WithContext(kFunction));
    }
    if (stats != nullptr) {
      stats->edges = pulled->edges.size();
      stats->names = pulled->names.size();
      stats->functions = pulled->functions.size();
    }
    return BLOBGRAPH_OK;
  });
}

blobgraph_status blobgraph_pull_start_set(blobgraph_client* client, size_t max, blobgraph_hash* out,
                                          size_t* count) {
  static constexpr const char* kFunction = "blobgraph_pull_start_set";
  return Guard(kFunction, [&] {
    ClientObject* object = LookupClient(client);
    if (object == nullptr) return ClosedHandle(kFunction, "client");
    if (count == nullptr) return NullArgument(kFunction, "count");
    if (out == nullptr && max > 0) return NullArgument(kFunction, "out");
    if (max == 0) {
      *count = 0;
      return BLOBGRAPH_OK;
    }
    // The wire carries a 32-bit limit; more than 2^32 - 1 hashes is "all".
    uint32_t wire_max = static_cast<uint32_t>(std::min<size_t>(max, UINT32_MAX));
    auto hashes = object->client->StartSet(wire_max);
    if (!hashes.ok()) return FromStatus(hashes.status().WithContext(kFunction));
    size_t n = std::min(max, hashes->size());  // never trust the server to obey max
    for (size_t i = 0; i < n; ++i) {
      std::memcpy(out[i].bytes, (*hashes)[i].data(), BlobHash::kSize);
    }
    *count = n;
    return BLOBGRAPH_OK;
  });
}

}  // extern "C"
