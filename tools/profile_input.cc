#include "tools/profile_input.h"

#include <fstream>

#include "schema/stream_codec.h"

namespace blobgraph::tools {

Result<FileContent> DetectTextContent(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot open for reading");
  std::string first_line;
  std::getline(in, first_line);
  constexpr std::string_view kProfileHeader = "# blobgraph-profile";
  return first_line.compare(0, kProfileHeader.size(), kProfileHeader) == 0
             ? FileContent::kProfile
             : FileContent::kDependencies;
}

Result<FileContent> DetectCapnpContent(const std::string& path) {
  // Reads only the header message: the visitor stops the read right there.
  std::optional<schema::StreamContent> content;
  const Status kStop = Status::NotFound("header read");
  schema::StreamVisitor visitor;
  visitor.on_header = [&](schema::StreamContent kind, const std::optional<ProfileInfo>&) {
    content = kind;
    return kStop;
  };
  Status status = schema::ReadStream(path, std::nullopt, visitor);
  if (!content) return status.ok() ? Status::InvalidInput(path + ": no stream header") : status;
  switch (*content) {
    case schema::StreamContent::kDependencies: return FileContent::kDependencies;
    case schema::StreamContent::kProfile: return FileContent::kProfile;
    case schema::StreamContent::kTrace:
      return Status::InvalidInput(path + ": is a call trace stream; use blobgraph record --trace");
  }
  return Status::InvalidInput(path + ": unknown stream kind");
}

}  // namespace blobgraph::tools
