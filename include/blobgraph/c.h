/* blobgraph/c.h: the C ABI of blobgraph, for runtimes written in any language.
 *
 * A thin layer over the C++ API (graph_store.h, engine.h): a store handle owns
 * one open GraphStore, an engine handle owns one Engine on a store. The
 * library is libblobgraph.so (SONAME libblobgraph.so.0); it exports only the
 * blobgraph_* functions below. Build against it with
 *   cc app.c $(pkg-config --cflags --libs blobgraph)
 * This header is C11 and C++ (extern "C"); it includes only <stddef.h> and
 * <stdint.h>.
 *
 * Errors: every function except blobgraph_version(), blobgraph_status_name()
 * and blobgraph_last_error() returns a blobgraph_status. On failure the
 * calling thread's message (blobgraph_last_error()) says what went wrong,
 * subject first ("store /tmp/x: ..."). Outputs are written only on success
 * unless a function says otherwise. No C++ exception crosses this boundary
 * (an unexpected one, such as out of memory, becomes BLOBGRAPH_INTERNAL).
 *
 * Handles: a handle is an opaque token, not a pointer to memory. It names a
 * slot in the library's handle table together with that slot's generation, so
 * a handle that was closed (or never opened, or NULL) is detected and answered
 * with BLOBGRAPH_CLOSED_HANDLE, never dereferenced, even after its slot has
 * been reused by a later open. Copies of a closed handle are equally safe.
 * What is NOT allowed: closing a handle while another thread is still inside
 * a call on that same handle (as with free()); close it after those calls
 * have returned. A store cannot be closed while an engine is open on it
 * (BLOBGRAPH_BUSY).
 *
 * Threads: as the C++ API. Functions marked "Any thread" may be called on the
 * same handle from many threads at once. blobgraph_prefetch() takes no lock,
 * allocates nothing (whatever the capacity: a walk returns at most 128
 * results), does no I/O.
 *
 * A client handle is a connection to a profile server (`blobgraph serve`,
 * blobgraph-server): a runtime pulls a warm start from it when it starts and
 * pushes what it recorded when it exits. See "Profile server" below.
 */
#ifndef BLOBGRAPH_C_H_
#define BLOBGRAPH_C_H_

#include <stddef.h>
#include <stdint.h>

#define BLOBGRAPH_VERSION_MAJOR 0
#define BLOBGRAPH_VERSION_MINOR 1
#define BLOBGRAPH_VERSION_PATCH 0
/* "0.1.0": the version of this header. Compare with blobgraph_version(). */
#define BLOBGRAPH_VERSION_STRING "0.1.0"

#define BLOBGRAPH_HASH_SIZE 32
/* Prefetch writes at most this many results without touching the heap. */
#define BLOBGRAPH_PREFETCH_STACK_RESULTS 64

#if defined(_WIN32)
#define BLOBGRAPH_API
#else
#define BLOBGRAPH_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. 0..6 mirror blobgraph::Status::Code; the rest are the C
 * layer's own. Values never change. */
typedef enum blobgraph_status {
  BLOBGRAPH_OK = 0,
  BLOBGRAPH_NOT_FOUND = 1,     /* the thing asked for does not exist */
  BLOBGRAPH_INVALID_INPUT = 2, /* malformed file, bad hash text, write to a read-only store */
  BLOBGRAPH_CORRUPTION = 3,    /* stored data fails its checks */
  BLOBGRAPH_IO_ERROR = 4,      /* the OS or RocksDB failed to read or write */
  BLOBGRAPH_BUSY = 5,          /* store in use by another process, or engines still open on it */
  BLOBGRAPH_INCOMPATIBLE = 6,  /* newer store format, or not a blobgraph store */
  BLOBGRAPH_INVALID_ARGUMENT = 100, /* a NULL pointer or out-of-range value passed in */
  BLOBGRAPH_CLOSED_HANDLE = 101,    /* NULL, closed or never-opened handle */
  BLOBGRAPH_INTERNAL = 102          /* unexpected failure inside the library (e.g. out of memory) */
} blobgraph_status;

/* A function blob's SHA-256 content hash, by value. An array of these is an
 * array of 32-byte hashes (no padding). The all-zero hash marks a root call. */
typedef struct blobgraph_hash {
  uint8_t bytes[BLOBGRAPH_HASH_SIZE];
} blobgraph_hash;

typedef struct blobgraph_store blobgraph_store;   /* opaque */
typedef struct blobgraph_engine blobgraph_engine; /* opaque */
typedef struct blobgraph_client blobgraph_client; /* opaque */

/* ---- Version, errors, hashes ------------------------------------------ */

/* The library's version, "MAJOR.MINOR.PATCH". Static storage. Any thread. */
BLOBGRAPH_API const char* blobgraph_version(void);

/* "ok", "not found", "invalid argument", ...; "unknown" for other values.
 * Static storage. Any thread. */
BLOBGRAPH_API const char* blobgraph_status_name(blobgraph_status status);

/* The message of the most recent failed call made by this thread; "" if none
 * has failed. Successful calls leave it as it is. Valid until this thread's
 * next failing call; never NULL. Any thread (each has its own). */
BLOBGRAPH_API const char* blobgraph_last_error(void);

/* Parses 64 hex digits (either case, optional "sha256:" prefix) of `text`
 * (`length` bytes, no terminator needed) into `*out`.
 * Errors: INVALID_ARGUMENT (NULL pointer), INVALID_INPUT (bad text). */
BLOBGRAPH_API blobgraph_status blobgraph_hash_parse(const char* text, size_t length,
                                                    blobgraph_hash* out);

/* Writes 64 lowercase hex digits and a terminating NUL into `out` (65 bytes).
 * Errors: INVALID_ARGUMENT (NULL pointer). */
BLOBGRAPH_API blobgraph_status blobgraph_hash_to_hex(const blobgraph_hash* hash, char out[65]);

/* ---- Store ------------------------------------------------------------- */

typedef struct blobgraph_store_options {
  uint32_t struct_size;       /* sizeof(blobgraph_store_options); set by _init */
  int create_if_missing;      /* default 1 */
  int read_only;              /* default 0: open without the writer lock; writes fail */
  int sync_writes;            /* default 0: 1 = writes survive a power cut */
  double prior_weight;        /* default 0.5: pseudo-calls per static call site; 0..1e6 */
  uint64_t block_cache_bytes; /* default 512 MiB: RocksDB block cache */
} blobgraph_store_options;

/* Fills `options` with the defaults. Errors: INVALID_ARGUMENT (NULL). */
BLOBGRAPH_API blobgraph_status blobgraph_store_options_init(blobgraph_store_options* options);

/* Opens (or creates) the store at directory `path`; `options` NULL means the
 * defaults. On success `*out` is a new handle; on failure `*out` is NULL.
 * Errors: INVALID_ARGUMENT, BUSY (another process has it open), INCOMPATIBLE,
 * CORRUPTION, IO_ERROR. Any thread. */
BLOBGRAPH_API blobgraph_status blobgraph_store_open(const char* path,
                                                    const blobgraph_store_options* options,
                                                    blobgraph_store** out);

/* Closes the store and invalidates `store` (and every copy of it). Closing
 * NULL or an already closed handle returns CLOSED_HANDLE and does nothing.
 * Errors: BUSY (engines are still open on it; the store stays open).
 * REQUIRES: no other thread is inside a call on this store. */
BLOBGRAPH_API blobgraph_status blobgraph_store_close(blobgraph_store* store);

typedef struct blobgraph_store_stats {
  uint64_t functions;     /* node records */
  uint64_t edges;         /* distinct caller -> callee pairs */
  uint64_t static_total;  /* call sites */
  uint64_t dynamic_total; /* observed calls */
  uint64_t bytes_on_disk;
  uint64_t runs;     /* recorded runs (warm-start statistics), rounded up:
                        runs faded by ageing still count */
  uint64_t profiles; /* merged profile ids */
} blobgraph_store_stats;

/* Any thread. */
BLOBGRAPH_API blobgraph_status blobgraph_store_stats_get(blobgraph_store* store,
                                                         blobgraph_store_stats* out);

/* Makes every acknowledged write durable. Any thread. */
BLOBGRAPH_API blobgraph_status blobgraph_flush(blobgraph_store* store);

/* Imports a dependency file (text "CALLER CALLEE [COUNT]" lines, or a Cap'n
 * Proto dependencies stream; detected by content) as static call-site counts,
 * in one atomic write: all of it or nothing. `call_sites_out` (may be NULL)
 * receives the number of call sites loaded. A caller's call sites are set
 * once: importing the same list again adds nothing; a different list for a
 * caller already stored is refused (INVALID_INPUT naming the caller; nothing
 * of the file applied).
 * `path` may be "-" (stdin) or a pipe; gzip content is recognised and
 * decompressed (a truncated or corrupt gzip is INVALID_INPUT naming the file).
 * Errors: INVALID_INPUT (malformed file: the message names file and line or
 * offset; a read-only store; a different static list; counts that would
 * pass 2^64 - 1, naming the hashes), CORRUPTION (a stored record it reads
 * does not decode: names the column family and key), IO_ERROR.
 * Any thread (writes are serialised). */
BLOBGRAPH_API blobgraph_status blobgraph_import_dependencies(blobgraph_store* store,
                                                             const char* path,
                                                             uint64_t* call_sites_out);

/* Merges a profile file (written by blobgraph_export_profile or by
 * `blobgraph export`) into the store, atomically. A profile whose id was
 * merged before is refused with INVALID_INPUT unless `force` is non-zero.
 * Its observed calls add up; its static counts follow the set-once rule of
 * blobgraph_import_dependencies. Counts that would pass 2^64 - 1 are refused
 * (INVALID_INPUT naming the edge). `path` may be "-" (stdin) or a pipe; gzip
 * content is decompressed. Any thread. */
BLOBGRAPH_API blobgraph_status blobgraph_import_profile(blobgraph_store* store, const char* path,
                                                        int force);

/* Writes what this store observed itself and has not handed over before
 * (recorded runs, engine flushes, imported dependency lists and blob stores:
 * edges with their counts, declared functions, names, load statistics) to a
 * new profile file at `path` with a fresh profile id, and once the file is
 * complete marks those observations sent: the next export (or push) carries
 * only newer ones. What the store pulled or merged is never exported as its
 * own; blobgraph_export_graph writes the whole graph.
 * `format`: "capnp" (NULL means this), "text" or "json"; import detects it.
 * The file is written beside `path` and renamed into place when complete: a
 * failed export leaves no file, any previous file at `path` intact and the
 * observations unsent. If marking them sent fails after the file was
 * written, the error says so (the file holds them; a later export sends
 * them again). Errors: INVALID_INPUT (unknown format, read-only store),
 * IO_ERROR. Any thread. */
BLOBGRAPH_API blobgraph_status blobgraph_export_profile(blobgraph_store* store, const char* path,
                                                        const char* format);

/* Writes the whole store (every edge's static and dynamic counts, every
 * function and name, the load statistics) to a new profile file at `path`
 * with a fresh profile id, as blobgraph_export_profile writes files; marks
 * nothing sent. Works on a read-only store. Errors: INVALID_INPUT (unknown
 * format), IO_ERROR. Any thread. */
BLOBGRAPH_API blobgraph_status blobgraph_export_graph(blobgraph_store* store, const char* path,
                                                      const char* format);

/* ---- Engine ------------------------------------------------------------ */

typedef struct blobgraph_prefetch_options {
  uint32_t max_depth;     /* default 2: 1 = direct callees */
  uint32_t top_n;         /* default 8: callees expanded per node */
  double min_probability; /* default 0.2: minimum path probability */
  uint32_t max_results;   /* default 16: also bounded by the caller's capacity */
  int enabled;            /* default 1: 0 = prefetch returns nothing */
  uint32_t start_follow;  /* default 16: start-set functions released after a
                             start-set function is entered, in the room the
                             walk leaves in the caller's buffer; 0 = none */
} blobgraph_prefetch_options;

typedef struct blobgraph_engine_options {
  uint32_t struct_size;                /* sizeof(blobgraph_engine_options); set by _init */
  uint64_t hot_budget_bytes;           /* default 32 MiB */
  uint32_t refresh_interval_ms;        /* default 2000; 0 = no background snapshot rebuild */
  uint32_t flush_interval_ms;          /* default 1000; 0 = no background flush */
  uint64_t max_pending_edges;          /* default 262144 */
  uint64_t waste_window;               /* default 4096; at most 2^29 */
  uint64_t tracked_functions;          /* default 1048576; at most 2^30 */
  double prior_weight;                 /* default 0.5: hot-set score of a static call site, in
                                          calls; finite, 0..1e6 (else INVALID_ARGUMENT) */
  blobgraph_prefetch_options prefetch; /* used when blobgraph_prefetch gets NULL options */
} blobgraph_engine_options;

/* Fills with the defaults. Errors: INVALID_ARGUMENT (NULL). */
BLOBGRAPH_API blobgraph_status blobgraph_engine_options_init(blobgraph_engine_options* options);
BLOBGRAPH_API blobgraph_status blobgraph_prefetch_options_init(blobgraph_prefetch_options* options);

/* Opens an engine on `store` (which must stay open until the engine closes;
 * closing the store first fails with BUSY). Builds the first snapshot before
 * returning. `options` NULL = defaults. On failure `*out` is NULL. Any thread. */
BLOBGRAPH_API blobgraph_status blobgraph_engine_open(blobgraph_store* store,
                                                     const blobgraph_engine_options* options,
                                                     blobgraph_engine** out);

/* Flushes recorded calls and loads, stops the engine and invalidates the
 * handle. The handle is closed even when the flush fails; the flush's error
 * is returned. REQUIRES: no other thread is inside a call on this engine. */
BLOBGRAPH_API blobgraph_status blobgraph_engine_close(blobgraph_engine* engine);

/* Counts one observed call. Cheap: aggregated in memory, flushed to the store
 * on an interval. Any thread. */
BLOBGRAPH_API blobgraph_status blobgraph_record_call(blobgraph_engine* engine,
                                                     const blobgraph_hash* caller,
                                                     const blobgraph_hash* callee);

/* The runtime loaded `hash` (fetched and compiled it). Any thread. */
BLOBGRAPH_API blobgraph_status blobgraph_on_load(blobgraph_engine* engine,
                                                 const blobgraph_hash* hash);

/* Predicts what to fetch after `hash` is entered: writes up to
 * min(capacity, options->max_results) walk results into `out_hashes` and
 * their path probabilities into `out_probabilities` (may be NULL), most
 * probable first, then, if `hash` is in the start set, up to
 * options->start_follow start-set functions after it (probability: their
 * share of the recorded runs) in the room left, and their number into
 * `*count`. Never returns `hash` itself, a function already loaded
 * (blobgraph_on_load) or a duplicate. `options` NULL = the engine's
 * defaults. REQUIRES: the arrays have room for `capacity` entries.
 * Any thread; no lock, no I/O, no allocation; at most 128 walk results and
 * 128 start-set functions come back whatever capacity and the options say.
 * Errors: CLOSED_HANDLE, INVALID_ARGUMENT (NULL hash/out/count). */
BLOBGRAPH_API blobgraph_status blobgraph_prefetch(
    blobgraph_engine* engine, const blobgraph_hash* hash, const blobgraph_prefetch_options* options,
    blobgraph_hash* out_hashes, float* out_probabilities, size_t capacity, size_t* count);

/* Up to `max` functions to fetch at start, most likely and earliest first
 * (learned from load order across recorded runs); their number in `*count`.
 * REQUIRES: `out` has room for `max` hashes. Any thread. */
BLOBGRAPH_API blobgraph_status blobgraph_start_set(blobgraph_engine* engine, size_t max,
                                                   blobgraph_hash* out, size_t* count);

/* Writes recorded calls and this run's load order to the store. Any thread. */
BLOBGRAPH_API blobgraph_status blobgraph_engine_flush(blobgraph_engine* engine);

/* Rebuilds and publishes the hot snapshot now. Any thread. */
BLOBGRAPH_API blobgraph_status blobgraph_engine_refresh(blobgraph_engine* engine);

/* Feedback counters: see FeedbackStats in engine.h. */
typedef struct blobgraph_feedback_stats {
  uint64_t requests; /* prefetch calls */
  uint64_t issued;   /* hashes returned for the first time */
  uint64_t hits;     /* issued hashes later loaded */
  uint64_t wasted;   /* issued hashes not loaded within the waste window */
  uint64_t stalls;   /* loads of functions never issued */
} blobgraph_feedback_stats;

typedef struct blobgraph_snapshot_info {
  uint64_t version; /* increases with every published snapshot */
  uint64_t functions;
  uint64_t edges;
  uint64_t bytes;
  double build_seconds;
} blobgraph_snapshot_info;

/* `this_engine`: since this engine opened; `all_engines`: every engine on this
 * store, ever; `snapshot`: the current hot snapshot. Any of the three may be
 * NULL (not wanted). Any thread. */
BLOBGRAPH_API blobgraph_status blobgraph_engine_stats(blobgraph_engine* engine,
                                                      blobgraph_feedback_stats* this_engine,
                                                      blobgraph_feedback_stats* all_engines,
                                                      blobgraph_snapshot_info* snapshot);

/* ---- Profile server ---------------------------------------------------- */

/* A client keeps one connection to a profile server, reconnecting (up to
 * max_attempts per call) when it is lost. It runs its own event-loop thread;
 * calls on one client from many threads are serialised. A server that is down
 * or unreachable should make a runtime start cold, not fail: treat an error
 * from these functions as "no warm start" / "push later".
 *
 * Errors of every call that reaches the server: IO_ERROR (cannot connect,
 * connection lost on every attempt, timeout), BUSY (server over its
 * connection limit or shutting down), INVALID_INPUT (the server refused the
 * request: wrong token, push too large, ...), or the server's own code.
 * Messages name the function and the server ("blobgraph_client_connect:
 * server 10.0.0.5:7979: ..."). */

typedef struct blobgraph_client_options {
  uint32_t struct_size;        /* sizeof(blobgraph_client_options); set by _init */
  const char* address;         /* default NULL: "HOST:PORT" (HOST alone: port 7979); required */
  const char* token_file;      /* default NULL = none: file holding the server's token */
  const char* token;           /* default NULL = none: or the token itself. Not both.
                                  The environment ($BLOBGRAPH_TOKEN_FILE) is not read. */
  int tls;                     /* default 0; 1 = TLS (implied by a tls_ca_file) */
  const char* tls_ca_file;     /* default NULL = the system's: PEM certificate(s) to trust */
  const char* tls_server_name; /* default NULL = HOST: name the certificate must carry */
  uint32_t max_attempts;       /* default 5: tries per call, counting the first; >= 1 */
  uint32_t retry_backoff_ms;   /* default 100: wait before a retry, doubled after each */
  uint32_t call_timeout_ms;    /* default 120000: per call; >= 1 */
} blobgraph_client_options;

/* Fills with the defaults (address NULL: set it). Errors: INVALID_ARGUMENT. */
BLOBGRAPH_API blobgraph_status blobgraph_client_options_init(blobgraph_client_options* options);

/* Connects to and authenticates with the server at options->address. The
 * strings are copied; they need not outlive the call. On failure `*out` is
 * NULL. Errors: INVALID_ARGUMENT (NULL options/address/out, struct_size not
 * from _init, both token and token_file), IO_ERROR (token file unreadable,
 * server unreachable), INVALID_INPUT (empty token file, wrong token, TLS
 * setup), BUSY. Any thread. */
BLOBGRAPH_API blobgraph_status blobgraph_client_connect(const blobgraph_client_options* options,
                                                        blobgraph_client** out);

/* Closes the connection, stops the client's thread and invalidates `client`.
 * Errors: CLOSED_HANDLE (NULL, closed: nothing happens).
 * REQUIRES: no other thread is inside a call on this client. */
BLOBGRAPH_API blobgraph_status blobgraph_client_close(blobgraph_client* client);

/* Reads the profile file at `path` (any format blobgraph_import_profile
 * reads) and pushes it. Returns once the server has applied it and synced it
 * to disk. Retry-safe: the server applies a profile id at most once, so
 * pushing the same file again (after an error, or to a restarted server) is
 * harmless; then `*already_applied` (may be NULL) is 1 and nothing changed,
 * else 0. Errors: as above, plus INVALID_INPUT / IO_ERROR naming the file
 * when it cannot be read. Any thread (serialised per client). */
BLOBGRAPH_API blobgraph_status blobgraph_push_profile(blobgraph_client* client, const char* path,
                                                      int* already_applied);

typedef struct blobgraph_pull_options {
  uint32_t struct_size; /* sizeof(blobgraph_pull_options); set by _init */
  /* All three 0: the server's whole merged graph. Otherwise its hot part:
   * functions ranked by observed calls, at most max_functions of them, whose
   * edges fit in max_bytes of wire size, each with at least min_calls
   * observed calls. */
  uint64_t max_functions; /* default 0 = no limit */
  uint64_t max_bytes;     /* default 0 = no limit */
  uint64_t min_calls;     /* default 0 */
  int include_names;      /* default 1: also pull function names */
} blobgraph_pull_options;

typedef struct blobgraph_pull_stats {
  uint64_t edges;     /* edges received (with their static and dynamic counts) */
  uint64_t names;     /* function names received */
  uint64_t functions; /* functions known only by declaration */
} blobgraph_pull_stats;

/* Fills with the defaults. Errors: INVALID_ARGUMENT (NULL). */
BLOBGRAPH_API blobgraph_status blobgraph_pull_options_init(blobgraph_pull_options* options);

/* Pulls the server's merged graph (or its hot part, per `options`; NULL =
 * the whole graph) into `store` in one atomic write that replaces what the
 * previous pull into it brought (a refresh: pulling twice equals pulling
 * once; call sites stay). Pulled counts are never exported or pushed as
 * this store's own. `stats` (may be NULL) receives what was pulled. Nothing
 * is written when the pull fails.
 * Errors: CLOSED_HANDLE (client or store), INVALID_ARGUMENT (struct_size),
 * INVALID_INPUT (read-only store), the server errors above, the store's
 * write errors. Any thread (serialised per client; the store serialises
 * writes). */
BLOBGRAPH_API blobgraph_status blobgraph_pull(blobgraph_client* client, blobgraph_store* store,
                                              const blobgraph_pull_options* options,
                                              blobgraph_pull_stats* stats);

/* The server's start set: up to `max` functions to fetch at start, most
 * likely and earliest first (learned from the load order of the runs pushed
 * to it); their number in `*count`. REQUIRES: `out` has room for `max`
 * hashes. Errors: INVALID_ARGUMENT (NULL out/count), the server errors above.
 * Any thread (serialised per client). */
BLOBGRAPH_API blobgraph_status blobgraph_pull_start_set(blobgraph_client* client, size_t max,
                                                        blobgraph_hash* out, size_t* count);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BLOBGRAPH_C_H_ */
