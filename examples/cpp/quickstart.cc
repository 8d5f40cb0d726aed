// The C++ API in one page: open a store, add static dependencies, open an
// engine, record calls and loads, ask for predictions, restart warm.
// Built by CMake as `quickstart` and run by ctest (README, "C++ API").
#include <blobgraph/engine.h>
#include <blobgraph/graph_store.h>

#include <cstdio>
#include <string>

using blobgraph::BlobHash;

static BlobHash Hash(char c) { return *BlobHash::Parse(std::string(64, c)); }

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : "./quickstart.db";
  BlobHash main_fn = Hash('a'), parse = Hash('b'), lex = Hash('c'), log = Hash('d');
  {
    auto store = blobgraph::GraphStore::Open(path);
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
      return 1;
    }
    // Static dependencies: main has call sites for parse and log; parse calls lex.
    blobgraph::GraphUpdate deps;
    deps.edges = {{main_fn, parse, 1, 0}, {main_fn, log, 1, 0}, {parse, lex, 1, 0}};
    deps.names = {{main_fn, "main"}, {parse, "parse"}, {lex, "lex"}, {log, "log"}};
    if (auto status = (*store)->Apply(deps); !status.ok()) return 1;

    auto engine = blobgraph::Engine::Open(store->get());
    if (!engine.ok()) return 1;
    // The runtime reports what it runs: main calls parse far more than log.
    for (int i = 0; i < 100; ++i) (*engine)->RecordCall(main_fn, parse);
    (*engine)->RecordCall(main_fn, log);
    for (const BlobHash& loaded : {main_fn, parse, lex}) (*engine)->OnLoad(loaded);
    if (auto status = (*engine)->Flush(); !status.ok()) return 1;
  }  // engine and store closed: the profile is on disk

  auto store = blobgraph::GraphStore::Open(path);
  auto engine = blobgraph::Engine::Open(store->get());
  if (!store.ok() || !engine.ok()) return 1;
  blobgraph::Prediction predictions[8];
  // Depth 2, top 8, min probability 0.2; main is the start set's first, so
  // the functions the run loaded after it come too (depth 0).
  blobgraph::PrefetchOptions options;
  size_t count = (*engine)->Prefetch(main_fn, options, predictions, 8);
  std::printf("after a restart, entering main prefetches:\n");
  for (size_t i = 0; i < count; ++i) {
    auto name = (*store)->Name(predictions[i].hash);
    std::printf("  %-6s p=%.3f depth %u\n", name.ok() && *name ? (*name)->c_str() : "?",
                predictions[i].probability, predictions[i].depth);
  }
  BlobHash start[4];
  size_t warm = (*engine)->StartSet(4, start);
  std::printf("start set: %zu functions, first %s\n", warm,
              warm ? (*(*store)->Name(start[0]))->c_str() : "-");
  return 0;
}
