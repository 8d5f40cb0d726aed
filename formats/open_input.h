// Reading a profile or a dependency set from an input already open
// (blobgraph/profile_io.h and blobgraph/dependency_io.h read from a path):
// for `import`, which looks at what a file holds before choosing the reader.
// Internal to formats/ and tools/.
#pragma once

#include "blobgraph/dependency_io.h"
#include "blobgraph/profile_io.h"
#include "schema/input_file.h"

namespace blobgraph::formats {

// ReadProfile from `input`'s current position.
Result<GraphUpdate> ReadProfile(schema::InputFile& input,
                                ProfileFormat format = ProfileFormat::kAuto);

// LoadDependencies from `input`'s current position.
Result<DependencyImport> LoadDependencies(schema::InputFile& input,
                                          DependencyFormat format = DependencyFormat::kAuto,
                                          CountKind kind = CountKind::kStatic);

}  // namespace blobgraph::formats
