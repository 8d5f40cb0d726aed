// Exact 64-bit integers through Cap'n Proto's JSON codec.
//
// The codec parses every bare JSON number into a double, so a count above
// 2^53 written as a number (18446744073709551615, as other tools write them)
// would come back rounded, silently. Written as a string ("1844...615", as
// the codec itself writes 64-bit fields) it is parsed exactly. Before the
// document is decoded, QuoteLargeIntegers turns every bare integer that a
// double cannot hold exactly into such a string and refuses, naming the
// entry, any number that cannot be an exact 64-bit integer. It also refuses
// a member of the document (top level) given twice, which the codec would
// read as the last one alone (a second "runWeight", a second "edges" list).
// And it hands every string over with its \uXXXX escapes decoded, as raw
// UTF-8: Cap'n Proto 0.9.2 misreads those with hex letters (\u004a as '@';
// see json_string_escapes.h), and a bad escape is refused naming the entry
// and its offset. Any thread.
#pragma once

#include <string>

#include "blobgraph/status.h"

namespace blobgraph::schema {

// Rewrites `json` in place (untouched when nothing needs quoting). Errors:
// kInvalidInput "<entry>: <problem>", entry as a JSON path:
//   "edges[3].staticCount: 18446744073709551616 is larger than 18446744073709551615"
//   "runWeight: given twice in the document"
//   "functions[2].name: offset 181: UTF-16 high surrogate \ud83d without a low ..."
// Malformed JSON is left for the codec to report.
Status QuoteLargeIntegers(std::string* json);

}  // namespace blobgraph::schema
