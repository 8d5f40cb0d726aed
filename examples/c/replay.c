/* replay.c: a runtime's view of blobgraph, through the C API only.
 *
 * 1. Train: opens (creates) a store, imports a program's static dependencies,
 *    then plays a recorded training run into an engine the way a runtime
 *    reports it (blobgraph_record_call on every call, blobgraph_on_load on
 *    each first load), and closes (which flushes).
 * 2. Replay: reopens the store read-only and replays a second run with the
 *    protocol of `blobgraph replay` (issue 6): nothing is loaded; the start
 *    set is prefetched at event -1; for each event the callee, if not yet
 *    loaded, is a cold load -- covered if prefetched earlier, else a stall --
 *    and is loaded (blobgraph_on_load); then the engine prefetches from it and
 *    every returned hash neither loaded nor prefetched becomes prefetched.
 *    Prints the counts and coverage.
 *
 * Traces are binary: 64-byte records, caller hash then callee hash.
 *
 * Build: cc -std=c11 replay.c $(pkg-config --cflags --libs blobgraph)
 * Usage: replay --store DIR [--deps FILE] [--train FILE] --test FILE
 *               [--depth D] [--top N] [--min-prob P] [--max M] [--start-set K]
 */
#define _POSIX_C_SOURCE 199309L
#include <blobgraph/c.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PREFETCH 256

/* ---- A set of hashes with an int64 value each (open addressing). ------- */

typedef struct {
  blobgraph_hash* keys;
  long long* values;
  unsigned char* used;
  size_t capacity; /* a power of two */
  size_t size;
} hash_map;

static void map_init(hash_map* map) {
  map->capacity = 1024;
  map->size = 0;
  map->keys = malloc(map->capacity * sizeof(blobgraph_hash));
  map->values = malloc(map->capacity * sizeof(long long));
  map->used = calloc(map->capacity, 1);
  if (!map->keys || !map->values || !map->used) {
    fprintf(stderr, "replay: out of memory\n");
    exit(1);
  }
}

static void map_free(hash_map* map) {
  free(map->keys);
  free(map->values);
  free(map->used);
}

/* SHA-256 output is uniform: its first bytes already make a good hash. */
static size_t map_slot(const hash_map* map, const blobgraph_hash* key) {
  size_t h;
  memcpy(&h, key->bytes, sizeof(h));
  size_t mask = map->capacity - 1;
  size_t i = h & mask;
  while (map->used[i] && memcmp(map->keys[i].bytes, key->bytes, BLOBGRAPH_HASH_SIZE) != 0) {
    i = (i + 1) & mask;
  }
  return i;
}

static long long* map_find(const hash_map* map, const blobgraph_hash* key) {
  size_t i = map_slot(map, key);
  return map->used[i] ? &map->values[i] : NULL;
}

/* Inserts key -> value unless present; returns 1 if inserted. */
static int map_insert(hash_map* map, const blobgraph_hash* key, long long value) {
  if (map_find(map, key)) return 0;
  if ((map->size + 1) * 2 > map->capacity) {
    hash_map bigger;
    bigger.capacity = map->capacity * 2;
    bigger.size = 0;
    bigger.keys = malloc(bigger.capacity * sizeof(blobgraph_hash));
    bigger.values = malloc(bigger.capacity * sizeof(long long));
    bigger.used = calloc(bigger.capacity, 1);
    if (!bigger.keys || !bigger.values || !bigger.used) {
      fprintf(stderr, "replay: out of memory\n");
      exit(1);
    }
    for (size_t i = 0; i < map->capacity; ++i) {
      if (map->used[i]) map_insert(&bigger, &map->keys[i], map->values[i]);
    }
    map_free(map);
    *map = bigger;
  }
  size_t i = map_slot(map, key);
  map->used[i] = 1;
  map->keys[i] = *key;
  map->values[i] = value;
  ++map->size;
  return 1;
}

/* ---- Errors and traces ---------------------------------------------- */

static void check(blobgraph_status status, const char* what) {
  if (status != BLOBGRAPH_OK) {
    fprintf(stderr, "replay: %s: %s: %s\n", what, blobgraph_status_name(status),
            blobgraph_last_error());
    exit(1);
  }
}

typedef struct {
  blobgraph_hash caller;
  blobgraph_hash callee;
} trace_event;

/* Reads a whole binary trace; exits with a message naming the file on error. */
static trace_event* read_trace(const char* path, size_t* count) {
  FILE* file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "replay: %s: cannot open\n", path);
    exit(1);
  }
  size_t capacity = 1 << 16, size = 0;
  trace_event* events = malloc(capacity * sizeof(trace_event));
  for (;;) {
    if (!events) {
      fprintf(stderr, "replay: out of memory\n");
      exit(1);
    }
    if (size == capacity) {
      capacity *= 2;
      events = realloc(events, capacity * sizeof(trace_event));
      continue;
    }
    size_t got = fread(events + size, 1, sizeof(trace_event), file);
    if (got == 0) break;
    if (got != sizeof(trace_event)) {
      fprintf(stderr, "replay: %s: offset %zu: truncated record (%zu of 64 bytes)\n", path,
              size * sizeof(trace_event), got);
      exit(1);
    }
    ++size;
  }
  if (ferror(file)) {
    fprintf(stderr, "replay: %s: read error\n", path);
    exit(1);
  }
  fclose(file);
  *count = size;
  return events;
}

/* ---- Train ---------------------------------------------------------- */

static void train(const char* store_path, const char* deps_path, const char* train_path) {
  blobgraph_store* store = NULL;
  check(blobgraph_store_open(store_path, NULL, &store), "open store");
  if (deps_path) {
    uint64_t edges = 0;
    check(blobgraph_import_dependencies(store, deps_path, &edges), "import dependencies");
    printf("imported            %llu call sites\n", (unsigned long long)edges);
  }
  if (train_path) {
    blobgraph_engine_options options;
    check(blobgraph_engine_options_init(&options), "engine options");
    options.refresh_interval_ms = 0; /* training needs no fresh snapshots */
    blobgraph_engine* engine = NULL;
    check(blobgraph_engine_open(store, &options, &engine), "open engine");
    size_t count = 0;
    trace_event* events = read_trace(train_path, &count);
    hash_map loaded;
    map_init(&loaded);
    for (size_t i = 0; i < count; ++i) {
      check(blobgraph_record_call(engine, &events[i].caller, &events[i].callee), "record call");
      if (map_insert(&loaded, &events[i].callee, 0)) {
        check(blobgraph_on_load(engine, &events[i].callee), "on load");
      }
    }
    map_free(&loaded);
    free(events);
    check(blobgraph_engine_close(engine), "close engine");
    printf("trained             %zu events\n", count);
  }
  check(blobgraph_store_close(store), "close store");
}

/* ---- Replay --------------------------------------------------------- */

typedef struct {
  unsigned long long events, distinct, cold, covered, stalls, prefetched, wasted, start_set;
  double lead_sum, engine_ns;
} report;

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* prefetched: hash -> event it was prefetched at; loaded: the loaded set. */
static void issue(hash_map* prefetched, const hash_map* loaded, long long event,
                  const blobgraph_hash* hash, report* r) {
  if (map_find(loaded, hash)) return;
  if (map_insert(prefetched, hash, event)) ++r->prefetched;
}

static void replay(const char* store_path, const char* test_path,
                   const blobgraph_prefetch_options* prefetch, size_t start_set) {
  blobgraph_store_options store_options;
  check(blobgraph_store_options_init(&store_options), "store options");
  store_options.read_only = 1; /* a replay does not change the store */
  store_options.create_if_missing = 0;
  blobgraph_store* store = NULL;
  check(blobgraph_store_open(store_path, &store_options, &store), "open store read-only");
  blobgraph_engine_options options;
  check(blobgraph_engine_options_init(&options), "engine options");
  options.refresh_interval_ms = 0; /* the snapshot must not change mid-replay */
  options.flush_interval_ms = 0;
  options.prefetch = *prefetch;
  blobgraph_engine* engine = NULL;
  check(blobgraph_engine_open(store, &options, &engine), "open engine");

  size_t count = 0;
  trace_event* events = read_trace(test_path, &count);
  hash_map prefetched, loaded;
  map_init(&prefetched);
  map_init(&loaded);
  report r;
  memset(&r, 0, sizeof(r));

  if (start_set > 0) {
    blobgraph_hash* start = malloc(start_set * sizeof(blobgraph_hash));
    size_t n = 0;
    if (!start) exit(1);
    check(blobgraph_start_set(engine, start_set, start, &n), "start set");
    for (size_t i = 0; i < n; ++i) issue(&prefetched, &loaded, -1, &start[i], &r);
    r.start_set = n;
    free(start);
  }

  blobgraph_hash predicted[MAX_PREFETCH];
  for (size_t i = 0; i < count; ++i) {
    const blobgraph_hash* f = &events[i].callee;
    long long event = (long long)i;
    ++r.events;
    if (map_insert(&loaded, f, event)) {
      ++r.cold;
      long long* at = map_find(&prefetched, f);
      if (at) {
        ++r.covered;
        r.lead_sum += (double)(event - *at);
      } else {
        ++r.stalls;
      }
      check(blobgraph_on_load(engine, f), "on load");
    }
    size_t n = 0;
    double begin = now_ns();
    blobgraph_status status =
        blobgraph_prefetch(engine, f, NULL, predicted, NULL, MAX_PREFETCH, &n);
    r.engine_ns += now_ns() - begin;
    check(status, "prefetch");
    for (size_t k = 0; k < n; ++k) issue(&prefetched, &loaded, event, &predicted[k], &r);
  }
  r.distinct = loaded.size;
  for (size_t k = 0; k < prefetched.capacity; ++k) {
    if (prefetched.used[k] && !map_find(&loaded, &prefetched.keys[k])) ++r.wasted;
  }

  /* The store is read-only: the engine writes nothing back. */
  check(blobgraph_engine_close(engine), "close engine");
  check(blobgraph_store_close(store), "close store");
  map_free(&prefetched);
  map_free(&loaded);
  free(events);

  printf("settings            depth %u, top %u, min-prob %g, max %u, start-set %zu\n",
         prefetch->max_depth, prefetch->top_n, prefetch->min_probability, prefetch->max_results,
         start_set);
  printf("events              %llu\n", r.events);
  printf("distinct functions  %llu\n", r.distinct);
  printf("cold loads          %llu\n", r.cold);
  printf("covered             %llu\n", r.covered);
  printf("stalls              %llu\n", r.stalls);
  printf("coverage            %.6f\n", r.cold ? (double)r.covered / (double)r.cold : 0.0);
  printf("prefetched          %llu\n", r.prefetched);
  printf("start set issued    %llu\n", r.start_set);
  printf("wasted              %llu\n", r.wasted);
  printf("waste               %.6f\n",
         r.prefetched ? (double)r.wasted / (double)r.prefetched : 0.0);
  printf("mean lead           %.3f\n", r.covered ? r.lead_sum / (double)r.covered : 0.0);
  printf("engine ns/event     %.1f\n", r.events ? r.engine_ns / (double)r.events : 0.0);
}

static void usage(void) {
  fprintf(stderr,
          "usage: replay --store DIR [--deps FILE] [--train FILE] --test FILE\n"
          "              [--depth D] [--top N] [--min-prob P] [--max M] [--start-set K]\n");
  exit(2);
}

int main(int argc, char** argv) {
  const char *store = NULL, *deps = NULL, *train_trace = NULL, *test_trace = NULL;
  size_t start_set = 16; /* `blobgraph replay`'s default */
  blobgraph_prefetch_options prefetch;
  check(blobgraph_prefetch_options_init(&prefetch), "prefetch options");
  for (int i = 1; i < argc; ++i) {
    const char* flag = argv[i];
    if (i + 1 >= argc) usage();
    const char* value = argv[++i];
    if (strcmp(flag, "--store") == 0)
      store = value;
    else if (strcmp(flag, "--deps") == 0)
      deps = value;
    else if (strcmp(flag, "--train") == 0)
      train_trace = value;
    else if (strcmp(flag, "--test") == 0)
      test_trace = value;
    else if (strcmp(flag, "--depth") == 0)
      prefetch.max_depth = (uint32_t)strtoul(value, NULL, 10);
    else if (strcmp(flag, "--top") == 0)
      prefetch.top_n = (uint32_t)strtoul(value, NULL, 10);
    else if (strcmp(flag, "--min-prob") == 0)
      prefetch.min_probability = strtod(value, NULL);
    else if (strcmp(flag, "--max") == 0)
      prefetch.max_results = (uint32_t)strtoul(value, NULL, 10);
    else if (strcmp(flag, "--start-set") == 0)
      start_set = (size_t)strtoull(value, NULL, 10);
    else
      usage();
  }
  if (!store || !test_trace) usage();
  printf("blobgraph           %s\n", blobgraph_version());
  train(store, deps, train_trace);
  replay(store, test_trace, &prefetch, start_set);
  return 0;
}
