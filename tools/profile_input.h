// Recognising what a file given to import or merge holds: a dependency set
// or an exported profile (text, Cap'n Proto or JSON).
#pragma once

#include <optional>
#include <string>

#include "blobgraph/graph_store.h"
#include "blobgraph/status.h"
#include "schema/input_file.h"

namespace blobgraph::tools {

enum class FileContent { kDependencies, kProfile };

// Both look at a peeked prefix of `input` and consume nothing, so the reader
// that follows gets the whole input (a pipe or stdin is read only once).
// Text: a profile starts with its "# blobgraph-profile" header line.
// Cap'n Proto: the stream header's kind. JSON is always a profile.
Result<FileContent> DetectTextContent(schema::InputFile& input);
Result<FileContent> DetectCapnpContent(schema::InputFile& input);

class CommandLine;

// Reads one PROFILE argument of push or retract; a file that does not read is
// reported through `cli` (the message names the file), counted in *failures,
// and gives nullopt, so the command goes on with the next one.
std::optional<GraphUpdate> ReadProfileArgument(const CommandLine& cli, const std::string& path,
                                               int* failures);

}  // namespace blobgraph::tools
