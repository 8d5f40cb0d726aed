#include "rpc_error_util.h"

#include "blobgraph/status.h"
#include "schema/capnp_errors.h"

namespace blobgraph::server::testing {

std::string ErrorText(const kj::Exception& exception) {
  return schema::StatusFromException(exception, Status::Code::kIOError, "").ToString();
}

}  // namespace blobgraph::server::testing
