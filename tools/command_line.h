// CommandLine: the flags every subcommand shares (--help, --db, --quiet,
// --json) and the parsing, help text and error exits around
// Boost.Program_options, so each cmd_*.cc only declares its own flags.
#pragma once

#include <boost/program_options.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "blobgraph/blob_hash.h"
#include "blobgraph/graph_store.h"
#include "blobgraph/status.h"
#include "tools/command.h"
#include "tools/numeric_flag.h"

namespace blobgraph::tools {

namespace po = boost::program_options;

class CommandLine {
 public:
  // `usage` is the synopsis after "blobgraph", e.g. "callees HASH [--top N]".
  // REQUIRES: `usage` starts with `command`.
  CommandLine(std::string command, std::string usage, std::string description);

  // The name help and messages give the program: "blobgraph <command>"
  // unless set. blobgraph-server runs `serve` alone and names itself.
  void set_program(std::string program) { program_ = std::move(program); }
  const std::string& program() const { return program_; }

  po::options_description& flags() { return flags_; }
  // Positional arguments, in order; `max_count` -1 = any number.
  void AddPositional(const char* name, int max_count);
  // Adds --json (machine-readable output: one JSON document on stdout).
  void AllowJson();

  // Numeric flags. Parse() checks the text given against `range` (see
  // numeric_flag.h): a negative, non-finite, fractional (for whole numbers)
  // or out-of-range value is a usage error (exit 2) naming the flag, the
  // value and what is allowed, before the command touches anything. The
  // allowed range is appended to `help`. std::nullopt default: the flag has
  // no value unless given (or is `required`).
  void AddWhole(const char* name, std::optional<uint64_t> default_value, WholeRange range,
                const std::string& help, bool required = false);
  void AddReal(const char* name, std::optional<double> default_value, RealRange range,
               const std::string& help, bool required = false);
  // The checked value. REQUIRES: Parse() succeeded and Has(name).
  uint64_t Whole(const char* name) const { return wholes_.at(name); }
  double Real(const char* name) const { return reals_.at(name); }

  // Parses `args`. Returns an exit code when the command should stop now
  // (0 after --help, 2 after a usage error), else std::nullopt.
  std::optional<int> Parse(const Args& args);

  const po::variables_map& values() const { return values_; }
  bool Has(const char* name) const { return values_.count(name) > 0; }
  template <typename T>
  T Get(const char* name) const {
    return values_[name].as<T>();
  }

  std::string DbPath() const;  // --db, else $BLOBGRAPH_DB, else ./blobgraph.db
  bool quiet() const { return Has("quiet"); }
  bool json() const { return Has("json"); }
  const std::string& command() const { return command_; }

  // Prints "<program>: <message>" to stderr; returns exit code 1.
  int Fail(const Status& status) const;
  int Fail(const std::string& message) const;
  // A usage error: message and a pointer to --help; exit code 2.
  int UsageError(const std::string& message) const;

  // Opens the store named by --db. `create` false: a missing store is an
  // error (inspecting commands must not create empty stores by accident).
  Result<std::unique_ptr<GraphStore>> OpenStore(bool read_only, bool create = true) const;

 private:
  std::string command_;
  std::string program_;
  std::string usage_;
  std::string description_;
  po::options_description flags_;
  po::positional_options_description positional_;
  po::variables_map values_;
  std::map<std::string, WholeRange> whole_ranges_;
  std::map<std::string, RealRange> real_ranges_;
  std::map<std::string, uint64_t> wholes_;
  std::map<std::string, double> reals_;
  // Checks every numeric flag given; exit code 2 after a bad one.
  std::optional<int> CheckNumbers();
};

// "0a1b2c3d4e5f… name" when the store knows a name, else the full hex.
std::string Label(const GraphStore& store, const BlobHash& hash, bool full_hex = true);

// Names for output when there may be no local store (answers from a
// profile server): then labels are plain hashes and JSON names null.
class NameLookup {
 public:
  explicit NameLookup(const GraphStore* store) : store_(store) {}
  std::string Label(const BlobHash& hash) const;
  // The stored name, exactly; std::nullopt without a store or a name.
  std::optional<std::string> Name(const BlobHash& hash) const;

 private:
  const GraphStore* store_;
};

}  // namespace blobgraph::tools
