#include "schema/capnp_errors.h"

#include <new>
#include <optional>
#include <string_view>

namespace blobgraph::schema {
namespace {

using Code = Status::Code;

// The remote-trace text that marks an exception's Status code.
constexpr std::string_view kCodeTag = "blobgraph-status: ";
constexpr Code kCodes[] = {Code::kNotFound, Code::kInvalidInput, Code::kCorruption,
                           Code::kIOError,  Code::kBusy,         Code::kIncompatible};

std::string CodeTag(Code code) { return std::string(kCodeTag) + Status::CodeName(code); }

Status MakeStatus(Code code, std::string message) {
  switch (code) {
    case Code::kNotFound:
      return Status::NotFound(std::move(message));
    case Code::kInvalidInput:
      return Status::InvalidInput(std::move(message));
    case Code::kCorruption:
      return Status::Corruption(std::move(message));
    case Code::kBusy:
      return Status::Busy(std::move(message));
    case Code::kIncompatible:
      return Status::Incompatible(std::move(message));
    case Code::kOk:  // an exception is never OK
    case Code::kIOError:
      break;
  }
  return Status::IOError(std::move(message));
}

// The code ThrowStatus attached (an exact tag, not message text), if any.
std::optional<Code> TaggedCode(const kj::Exception& exception) {
  std::string_view trace(exception.getRemoteTrace().cStr());
  for (Code code : kCodes) {
    if (trace == CodeTag(code)) return code;
  }
  return std::nullopt;
}

}  // namespace

Status GuardCapnp(Status::Code code, const std::function<std::string()>& where,
                  const std::function<Status()>& body) {
  try {
    return body();
  } catch (const kj::Exception& e) {
    // The description is the useful part; file and line of the kj source are
    // noise for a user holding a bad file.
    return StatusFromException(e, code, where());
  } catch (const std::bad_alloc&) {
    return MakeStatus(code, where() + ": out of memory");
  }
}

void ThrowStatus(const Status& status) {
  kj::Exception::Type type =
      status.code() == Code::kBusy ? kj::Exception::Type::OVERLOADED : kj::Exception::Type::FAILED;
  kj::Exception exception(type, __FILE__, __LINE__, kj::heapString(status.message().c_str()));
  exception.setRemoteTrace(kj::heapString(CodeTag(status.code()).c_str()));
  throw exception;
}

Status StatusFromException(const kj::Exception& exception, Status::Code fallback,
                           const std::string& context) {
  std::string text(exception.getDescription().cStr());
  // The RPC system puts this before a peer's text.
  static constexpr std::string_view kRemote = "remote exception: ";
  if (text.rfind(kRemote, 0) == 0) text.erase(0, kRemote.size());
  std::optional<Code> code = TaggedCode(exception);
  if (!code) {
    switch (exception.getType()) {
      case kj::Exception::Type::DISCONNECTED:
        code = Code::kIOError;
        text = "disconnected: " + text;
        break;
      case kj::Exception::Type::OVERLOADED:
        code = Code::kBusy;
        break;
      default:
        code = fallback;
        break;
    }
  }
  return MakeStatus(*code, context.empty() ? text : context + ": " + text);
}

kj::String EncodeStatusTrace(const kj::Exception& exception) {
  if (!TaggedCode(exception)) return kj::String();
  return kj::heapString(exception.getRemoteTrace());
}

}  // namespace blobgraph::schema
