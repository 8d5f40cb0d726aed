// Numeric flag values: strict parsing and range checks for every number a
// subcommand takes on its command line.
//
// Why not po::value<uint32_t>: Boost.Program_options converts with
// lexical_cast, which reads "-1" as 2^N-1 for unsigned types and accepts
// "inf" and "nan" for doubles, so a typo became "delete everything" (decay
// --drop-below=-1) or NaN probabilities (--prior-weight inf). Here the text
// itself is checked: digits only for whole numbers, finite decimals for real
// numbers, and the value against the flag's documented range.
// Pure functions; any thread.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "blobgraph/status.h"

namespace blobgraph::tools {

// Inclusive bounds of a whole-number flag.
struct WholeRange {
  uint64_t min = 0;
  uint64_t max = std::numeric_limits<uint64_t>::max();
};

// Bounds of a real-number flag; finite always. `min_open`: min itself is
// not allowed (e.g. decay --factor must be above 0).
struct RealRange {
  double min = 0;
  double max = std::numeric_limits<double>::max();
  bool min_open = false;
};

// "a whole number from 1 to 16", "a number above 0 and at most 1", ...
std::string DescribeRange(const WholeRange& range);
std::string DescribeRange(const RealRange& range);

// Parses the text given for `flag` (e.g. "--depth"). Errors are kInvalidInput,
// one line naming the flag, the value and what is allowed:
//   --depth -1: negative; expected a whole number from 1 to 16
Result<uint64_t> ParseWholeFlag(std::string_view flag, std::string_view text,
                                const WholeRange& range);
Result<double> ParseRealFlag(std::string_view flag, std::string_view text, const RealRange& range);

}  // namespace blobgraph::tools
