// Recognising what a file given to import or merge holds: a dependency set
// or an exported profile (text, Cap'n Proto or JSON).
#pragma once

#include <string>

#include "blobgraph/status.h"

namespace blobgraph::tools {

enum class FileContent { kDependencies, kProfile };

// Text: a profile starts with its "# blobgraph-profile" header line.
// Cap'n Proto: the stream header's kind. JSON is always a profile.
Result<FileContent> DetectTextContent(const std::string& path);
Result<FileContent> DetectCapnpContent(const std::string& path);

}  // namespace blobgraph::tools
