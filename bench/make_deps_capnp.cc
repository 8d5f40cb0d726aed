// make_deps_capnp: converts dependency text (gen_graph.py deps) into the
// Cap'n Proto dependencies stream, the input of the capnp import benchmark.
//
//   make_deps_capnp DEPS.txt DEPS.capnp [--names]
//
// Consecutive lines of one caller become one stream entry with a callee per
// call site (COUNT n = n repeats); a declaration line becomes an entry with
// no callees. --names gives each entry the name "fn-<ordinal>" so the import
// also carries names. Exits non-zero with the reader's or writer's message.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "blobgraph/dependency_io.h"
#include "formats/text_format.h"

namespace {

using blobgraph::BlobHash;
using blobgraph::Status;

int Fail(const Status& status) {
  std::fprintf(stderr, "make_deps_capnp: %s\n", status.message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4 || (argc == 4 && std::strcmp(argv[3], "--names") != 0)) {
    std::fprintf(stderr, "usage: make_deps_capnp DEPS.txt DEPS.capnp [--names]\n");
    return 2;
  }
  bool names = argc == 4;
  auto writer = blobgraph::formats::DependencyWriter::Open(
      argv[2], blobgraph::formats::DependencyFormat::kCapnp);
  if (!writer.ok()) return Fail(writer.status());

  uint64_t functions = 0;
  bool open = false;  // a function is being collected
  BlobHash current;
  std::vector<BlobHash> callees;
  auto flush = [&]() -> Status {
    if (!open) return Status::Ok();
    open = false;
    std::string name = names ? "fn-" + std::to_string(functions) : std::string();
    ++functions;
    return (*writer)->AddFunction(current, name, callees);
  };
  Status status = blobgraph::formats::ReadTextRecords(
      argv[1], [&](const blobgraph::formats::TextRecord& record) -> Status {
        if (!open || record.caller != current || !record.callee) {
          BLOBGRAPH_RETURN_IF_ERROR(flush());
          open = true;
          current = record.caller;
          callees.clear();
        }
        if (record.callee) callees.insert(callees.end(), record.count, *record.callee);
        return Status::Ok();
      });
  if (!status.ok()) return Fail(status);
  status = flush();
  if (!status.ok()) return Fail(status);
  status = (*writer)->Finish();
  if (!status.ok()) return Fail(status);
  std::fprintf(stderr, "make_deps_capnp: %llu functions written to %s\n",
               static_cast<unsigned long long>(functions), argv[2]);
  return 0;
}
