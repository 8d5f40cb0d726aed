// blobgraph verify: read every record, check invariants and the format.
#include <cstdio>

#include "tools/command_line.h"
#include "tools/json_report.h"

namespace blobgraph::tools {

int RunVerify(const Args& args) {
  CommandLine cli("verify", "verify [--json]",
                  "Reads every record of the store and checks the format version, that every\n"
                  "record decodes, and that per-function totals agree with the edges. Exits 1\n"
                  "if any problem is found, listing each.");
  cli.AllowJson();
  if (auto exit_code = cli.Parse(args)) return *exit_code;
  auto store = cli.OpenStore(/*read_only=*/true, /*create=*/false);
  std::vector<std::string> problems;
  if (store.ok()) {
    Status status = (*store)->Verify(&problems);
    if (!status.ok()) return cli.Fail(status);
  } else if (store.status().code() == Status::Code::kCorruption) {
    // A store too damaged to open (a truncated MANIFEST, a missing table
    // file, a damaged WAL) is verify's finding, not its failure.
    problems.push_back(store.status().message());
  } else {
    return cli.Fail(store.status());
  }
  if (cli.json()) {
    JsonReport report;
    report.BeginObject().Field("db", cli.DbPath()).Field("ok", problems.empty());
    report.Key("problems").BeginArray();
    for (const std::string& problem : problems) report.String(problem);
    report.EndArray().EndObject().Print();
  } else {
    for (const std::string& problem : problems) std::printf("problem: %s\n", problem.c_str());
    std::printf("%s: %s\n", cli.DbPath().c_str(),
                problems.empty() ? "ok" : (std::to_string(problems.size()) + " problems").c_str());
  }
  if (!problems.empty()) {
    std::fprintf(stderr, "blobgraph verify: %s: %zu problems, first: %s\n", cli.DbPath().c_str(),
                 problems.size(), problems.front().c_str());
    return 1;
  }
  return 0;
}

}  // namespace blobgraph::tools
