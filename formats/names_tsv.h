// Function names from a TSV file: one line `HEX<TAB>NAME` per function, as
// the sample programs ship them (data/sample/*/names.tsv). Blank lines and
// lines starting with '#' are skipped. Errors name the file and line. `path`
// may be "-" (stdin); gzip is decompressed (schema/input_file.h).
// Threads: reentrant.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "blobgraph/blob_hash.h"
#include "blobgraph/status.h"

namespace blobgraph::formats {

Result<std::vector<std::pair<BlobHash, std::string>>> ReadNamesTsv(const std::string& path);

}  // namespace blobgraph::formats
