#include "tools/command_line.h"

#include "core/quote.h"

#include <sys/stat.h>

#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace blobgraph::tools {

CommandLine::CommandLine(std::string command, std::string usage, std::string description)
    : command_(std::move(command)),
      program_("blobgraph " + command_),
      usage_(std::move(usage)),
      description_(std::move(description)),
      flags_("options") {
  assert(usage_.rfind(command_, 0) == 0);
  flags_.add_options()("help,h", "show this help")(
      "db", po::value<std::string>(),
      "store directory (default: $BLOBGRAPH_DB, else ./blobgraph.db)")("quiet,q",
                                                                       "no progress bar");
}

void CommandLine::AddPositional(const char* name, int max_count) {
  positional_.add(name, max_count);
}

void CommandLine::AllowJson() {
  flags_.add_options()("json", "machine-readable output: one JSON document on stdout");
}

void CommandLine::AddWhole(const char* name, std::optional<uint64_t> default_value,
                           WholeRange range, const std::string& help, bool required) {
  auto* value = po::value<std::string>()->value_name("N");
  if (default_value) value->default_value(std::to_string(*default_value));
  if (required) value->required();
  flags_.add_options()(name, value, (help + " (" + DescribeRange(range) + ")").c_str());
  whole_ranges_[name] = range;
}

void CommandLine::AddReal(const char* name, std::optional<double> default_value, RealRange range,
                          const std::string& help, bool required) {
  auto* value = po::value<std::string>()->value_name("X");
  if (default_value) {
    char text[32];
    std::snprintf(text, sizeof(text), "%g", *default_value);
    value->default_value(text);
  }
  if (required) value->required();
  flags_.add_options()(name, value, (help + " (" + DescribeRange(range) + ")").c_str());
  real_ranges_[name] = range;
}

std::optional<int> CommandLine::CheckNumbers() {
  for (const auto& [name, range] : whole_ranges_) {
    if (!Has(name.c_str())) continue;
    auto value = ParseWholeFlag("--" + name, Get<std::string>(name.c_str()), range);
    if (!value.ok()) return UsageError(value.status().message());
    wholes_[name] = *value;
  }
  for (const auto& [name, range] : real_ranges_) {
    if (!Has(name.c_str())) continue;
    auto value = ParseRealFlag("--" + name, Get<std::string>(name.c_str()), range);
    if (!value.ok()) return UsageError(value.status().message());
    reals_[name] = *value;
  }
  return std::nullopt;
}

std::optional<int> CommandLine::Parse(const Args& args) {
  try {
    po::store(po::command_line_parser(args).options(flags_).positional(positional_).run(), values_);
    // --help wins over missing required flags, so it is checked before notify.
    if (Has("help")) {
      std::cout << "usage: " << program_ << usage_.substr(command_.size()) << "\n\n"
                << description_ << "\n\n"
                << flags_;
      return 0;
    }
    po::notify(values_);
  } catch (const po::error& error) {
    return UsageError(error.what());
  }
  return CheckNumbers();
}

std::string CommandLine::DbPath() const {
  if (Has("db")) return Get<std::string>("db");
  if (const char* env = std::getenv("BLOBGRAPH_DB"); env != nullptr && *env != '\0') return env;
  return "./blobgraph.db";
}

int CommandLine::Fail(const std::string& message) const {
  std::fprintf(stderr, "%s: %s\n", program_.c_str(), message.c_str());
  return 1;
}

int CommandLine::Fail(const Status& status) const { return Fail(status.message()); }

int CommandLine::UsageError(const std::string& message) const {
  std::fprintf(stderr, "%s: %s (see %s --help)\n", program_.c_str(), message.c_str(),
               program_.c_str());
  return 2;
}

Result<std::unique_ptr<GraphStore>> CommandLine::OpenStore(bool read_only, bool create) const {
  std::string path = DbPath();
  struct stat info;
  if (!create && stat(path.c_str(), &info) != 0) {
    return Status::NotFound(path + ": no store here (create one with blobgraph import)");
  }
  StoreOptions options;
  options.read_only = read_only;
  options.create_if_missing = create && !read_only;
  return GraphStore::Open(path, options);
}

std::string Label(const GraphStore& store, const BlobHash& hash, bool full_hex) {
  std::string label = full_hex ? hash.ToHex() : hash.ShortHex();
  auto name = store.Name(hash);
  // Names come from profiles anyone may push: never let one drive the terminal.
  if (name.ok() && name->has_value()) label += "  " + EscapeForTerminal(**name);
  return label;
}

std::string NameLookup::Label(const BlobHash& hash) const {
  return store_ != nullptr ? tools::Label(*store_, hash) : hash.ToHex();
}

std::optional<std::string> NameLookup::Name(const BlobHash& hash) const {
  if (store_ == nullptr) return std::nullopt;
  auto name = store_->Name(hash);
  if (!name.ok()) return std::nullopt;
  return *name;
}

}  // namespace blobgraph::tools
