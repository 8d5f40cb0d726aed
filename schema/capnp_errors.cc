#include "schema/capnp_errors.h"

#include <kj/exception.h>

#include <new>

namespace blobgraph::schema {
namespace {

Status MakeStatus(Status::Code code, std::string message) {
  switch (code) {
    case Status::Code::kIOError:
      return Status::IOError(std::move(message));
    case Status::Code::kCorruption:
      return Status::Corruption(std::move(message));
    default:
      return Status::InvalidInput(std::move(message));
  }
}

}  // namespace

Status GuardCapnp(Status::Code code, const std::function<std::string()>& where,
                  const std::function<Status()>& body) {
  try {
    return body();
  } catch (const kj::Exception& e) {
    // The description is the useful part; file and line of the kj source are
    // noise for a user holding a bad file.
    return MakeStatus(code, where() + ": " + std::string(e.getDescription().cStr()));
  } catch (const std::bad_alloc&) {
    return MakeStatus(code, where() + ": out of memory");
  }
}

}  // namespace blobgraph::schema
