/* c_api_program.c: the C API used from a C11 program (this file is compiled
 * as C with -pedantic -Werror, so blobgraph/c.h must be valid C).
 *
 * Builds a small graph through the API (a -> b twice as a call site, a -> c
 * once, then 8 observed calls a -> c), and checks what prefetch, start set,
 * stats, export/import and the error paths return. Exits 0 on success, 1 with
 * a message naming the failed check otherwise. */
#define _POSIX_C_SOURCE 200809L
#include <blobgraph/c.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures = 0;

#define CHECK(condition)                                                                \
  do {                                                                                  \
    if (!(condition)) {                                                                 \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__, __LINE__, \
              #condition, blobgraph_last_error());                                      \
      ++failures;                                                                       \
    }                                                                                   \
  } while (0)

static blobgraph_hash hash_of(unsigned char byte) {
  blobgraph_hash hash;
  memset(hash.bytes, byte, sizeof(hash.bytes));
  return hash;
}

static void write_deps(const char* path) {
  FILE* file = fopen(path, "w");
  char hex_a[65], hex_b[65], hex_c[65];
  blobgraph_hash a = hash_of(0xaa), b = hash_of(0xbb), c = hash_of(0xcc);
  if (!file) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(1);
  }
  blobgraph_hash_to_hex(&a, hex_a);
  blobgraph_hash_to_hex(&b, hex_b);
  blobgraph_hash_to_hex(&c, hex_c);
  fprintf(file, "%s %s 2\n%s %s\n", hex_a, hex_b, hex_a, hex_c);
  fclose(file);
}

int main(void) {
  char dir[] = "/tmp/blobgraph-c-program-XXXXXX";
  char store_path[256], deps_path[256], profile_path[256], copy_path[256], command[512];
  blobgraph_store* store = NULL;
  blobgraph_store* copy = NULL;
  blobgraph_engine* engine = NULL;
  blobgraph_hash a = hash_of(0xaa), b = hash_of(0xbb), c = hash_of(0xcc);
  blobgraph_hash out[8];
  float probabilities[8];
  size_t count = 0;
  uint64_t call_sites = 0;
  blobgraph_store_stats stats;
  blobgraph_feedback_stats feedback;
  blobgraph_engine_options options;
  blobgraph_prefetch_options prefetch_options;
  blobgraph_client* client = NULL;
  blobgraph_client_options client_options;
  blobgraph_pull_options pull_options;
  blobgraph_pull_stats pull_stats;
  int already_applied = -1;
  int i;

  if (!mkdtemp(dir)) return 1;
  snprintf(store_path, sizeof(store_path), "%s/store", dir);
  snprintf(deps_path, sizeof(deps_path), "%s/deps.txt", dir);
  snprintf(profile_path, sizeof(profile_path), "%s/profile.bin", dir);
  snprintf(copy_path, sizeof(copy_path), "%s/copy", dir);
  write_deps(deps_path);

  CHECK(strcmp(blobgraph_version(), BLOBGRAPH_VERSION_STRING) == 0);
  CHECK(blobgraph_store_open(store_path, NULL, &store) == BLOBGRAPH_OK);
  CHECK(blobgraph_import_dependencies(store, deps_path, &call_sites) == BLOBGRAPH_OK);
  CHECK(call_sites == 3);

  /* Static counts only, nothing ran: each call site is taken with the
     default list precision 0.3, so b (2 sites) has 1 - 0.7^2 = 0.51. */
  CHECK(blobgraph_engine_options_init(&options) == BLOBGRAPH_OK);
  options.refresh_interval_ms = 0;
  options.flush_interval_ms = 0;
  CHECK(blobgraph_engine_open(store, &options, &engine) == BLOBGRAPH_OK);
  CHECK(blobgraph_prefetch(engine, &a, NULL, out, probabilities, 8, &count) == BLOBGRAPH_OK);
  CHECK(count == 2);
  CHECK(count >= 1 && memcmp(out[0].bytes, b.bytes, 32) == 0);
  CHECK(count >= 1 && probabilities[0] > 0.509f && probabilities[0] < 0.511f);

  /* Observed calls take over after a flush and a refresh: 8 calls to c. */
  for (i = 0; i < 8; ++i) CHECK(blobgraph_record_call(engine, &a, &c) == BLOBGRAPH_OK);
  CHECK(blobgraph_engine_flush(engine) == BLOBGRAPH_OK);
  CHECK(blobgraph_engine_refresh(engine) == BLOBGRAPH_OK);
  CHECK(blobgraph_prefetch(engine, &a, NULL, out, probabilities, 8, &count) == BLOBGRAPH_OK);
  /* a ran 8 times (observed calls, no load record: each invocation a run,
     r = 8) and took c in all: the lists' precision is
     m = (8 + 10 * 0.3) / (16 + 10) = 11/26, c's prior (8 + 0.5 m) / 8.5,
     p(c) = (8 + 0.1 * c's prior) / 8.1 = 0.99958; b, passed by 8 times,
     falls to 0.1 * (1 - (1 - 0.5 m / 8.5)^2) / 8.1 = 0.000607. */
  CHECK(count == 1 && memcmp(out[0].bytes, c.bytes, 32) == 0);
  CHECK(count >= 1 && probabilities[0] > 0.9995f && probabilities[0] < 0.9997f);

  /* A loaded function is not predicted again; b comes back with a lower floor. */
  CHECK(blobgraph_on_load(engine, &c) == BLOBGRAPH_OK);
  CHECK(blobgraph_prefetch(engine, &a, NULL, out, NULL, 8, &count) == BLOBGRAPH_OK);
  CHECK(count == 0);
  CHECK(blobgraph_prefetch_options_init(&prefetch_options) == BLOBGRAPH_OK);
  prefetch_options.min_probability = 0.0001;
  CHECK(blobgraph_prefetch(engine, &a, &prefetch_options, out, probabilities, 8, &count) ==
        BLOBGRAPH_OK);
  CHECK(count == 1 && memcmp(out[0].bytes, b.bytes, 32) == 0);
  CHECK(count >= 1 && probabilities[0] > 0.000606f && probabilities[0] < 0.000608f);
  CHECK(blobgraph_engine_stats(engine, &feedback, NULL, NULL) == BLOBGRAPH_OK);
  CHECK(feedback.requests == 4);

  /* The store cannot close under the engine; the engine closes, then it can. */
  CHECK(blobgraph_store_close(store) == BLOBGRAPH_BUSY);
  CHECK(blobgraph_engine_close(engine) == BLOBGRAPH_OK);
  CHECK(blobgraph_store_stats_get(store, &stats) == BLOBGRAPH_OK);
  CHECK(stats.edges == 2 && stats.static_total == 3 && stats.dynamic_total == 8);

  /* Profile round trip into a second store. */
  CHECK(blobgraph_export_profile(store, profile_path, NULL) == BLOBGRAPH_OK);
  CHECK(blobgraph_store_open(copy_path, NULL, &copy) == BLOBGRAPH_OK);
  CHECK(blobgraph_import_profile(copy, profile_path, 0) == BLOBGRAPH_OK);
  CHECK(blobgraph_import_profile(copy, profile_path, 0) == BLOBGRAPH_INVALID_INPUT);
  CHECK(blobgraph_store_stats_get(copy, &stats) == BLOBGRAPH_OK);
  CHECK(stats.edges == 2 && stats.static_total == 3 && stats.dynamic_total == 8);
  CHECK(blobgraph_store_close(copy) == BLOBGRAPH_OK);

  /* Closed handles and NULL are errors, not crashes. */
  CHECK(blobgraph_store_close(store) == BLOBGRAPH_OK);
  CHECK(blobgraph_store_close(store) == BLOBGRAPH_CLOSED_HANDLE);
  CHECK(strstr(blobgraph_last_error(), "blobgraph_store_close") != NULL);
  CHECK(blobgraph_prefetch(engine, &a, NULL, out, NULL, 8, &count) == BLOBGRAPH_CLOSED_HANDLE);
  CHECK(blobgraph_on_load(NULL, &a) == BLOBGRAPH_CLOSED_HANDLE);
  CHECK(blobgraph_store_stats_get(NULL, &stats) == BLOBGRAPH_CLOSED_HANDLE);

  /* The profile-server client from C: options, and NULL handles (the round
   * trip against a real server is in c_api_client_test.cc). */
  CHECK(blobgraph_client_options_init(&client_options) == BLOBGRAPH_OK);
  CHECK(client_options.struct_size == sizeof(client_options));
  CHECK(client_options.address == NULL && client_options.max_attempts >= 1);
  CHECK(blobgraph_client_connect(&client_options, &client) == BLOBGRAPH_INVALID_ARGUMENT);
  CHECK(client == NULL);
  CHECK(blobgraph_pull_options_init(&pull_options) == BLOBGRAPH_OK);
  CHECK(pull_options.max_functions == 0 && pull_options.include_names == 1);
  CHECK(blobgraph_push_profile(client, profile_path, &already_applied) == BLOBGRAPH_CLOSED_HANDLE);
  CHECK(blobgraph_pull(client, store, &pull_options, &pull_stats) == BLOBGRAPH_CLOSED_HANDLE);
  CHECK(blobgraph_pull_start_set(client, 8, out, &count) == BLOBGRAPH_CLOSED_HANDLE);
  CHECK(blobgraph_client_close(client) == BLOBGRAPH_CLOSED_HANDLE);
  CHECK(strstr(blobgraph_last_error(), "blobgraph_client_close") != NULL);

  snprintf(command, sizeof(command), "rm -rf '%s'", dir);
  if (system(command) != 0) fprintf(stderr, "could not remove %s\n", dir);
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("ok\n");
  return 0;
}
