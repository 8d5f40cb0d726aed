#include "schema/reader_limits.h"

namespace blobgraph::schema {

capnp::ReaderOptions UntrustedReaderOptions() {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = kMaxMessageWords;
  options.nestingLimit = kMaxNesting;
  return options;
}

}  // namespace blobgraph::schema
