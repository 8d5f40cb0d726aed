#include "tools/profile_input.h"

#include <algorithm>
#include <string_view>

#include "blobgraph/profile_io.h"
#include "schema/input_file.h"
#include "schema/stream_codec.h"
#include "tools/command_line.h"

namespace blobgraph::tools {
namespace {

// Enough for any stream header message (identity and host name included).
constexpr size_t kHeaderPeekBytes = 4096;

}  // namespace

Result<FileContent> DetectTextContent(schema::InputFile& input) {
  constexpr std::string_view kProfileHeader = "# blobgraph-profile";
  auto prefix = input.Peek(kProfileHeader.size());
  if (!prefix.ok()) return prefix.status();
  return *prefix == kProfileHeader ? FileContent::kProfile : FileContent::kDependencies;
}

Result<FileContent> DetectCapnpContent(schema::InputFile& input) {
  auto prefix = input.Peek(kHeaderPeekBytes);
  if (!prefix.ok()) return prefix.status();
  auto content = schema::PeekStreamContent(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(prefix->data()), prefix->size()));
  // Not a readable header: the dependency reader that follows names exactly
  // what is wrong (bad magic, truncated header, unknown kind).
  if (!content) return FileContent::kDependencies;
  switch (*content) {
    case schema::StreamContent::kDependencies:
      return FileContent::kDependencies;
    case schema::StreamContent::kProfile:
      return FileContent::kProfile;
    case schema::StreamContent::kTrace:
      return Status::InvalidInput(input.name() +
                                  ": is a call trace stream; use blobgraph record --trace");
  }
  return Status::InvalidInput(input.name() + ": unknown stream kind");
}

std::optional<GraphUpdate> ReadProfileArgument(const CommandLine& cli, const std::string& path,
                                               int* failures) {
  auto profile = formats::ReadProfile(path);
  if (!profile.ok()) {
    cli.Fail(profile.status());
    ++*failures;
    return std::nullopt;
  }
  return std::move(profile).value();
}

}  // namespace blobgraph::tools
