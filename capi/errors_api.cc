// Version, status names, the thread-local last error, and hash helpers.
#include <cstring>
#include <string>

#include "blobgraph/blob_hash.h"
#include "capi/c_api_internal.h"

namespace blobgraph::capi {
namespace {

// One message per thread, so a failing call on one thread never overwrites
// the message another thread is about to read.
thread_local std::string last_error;

}  // namespace

blobgraph_status Fail(blobgraph_status code, std::string message) noexcept {
  try {
    last_error = std::move(message);
  } catch (...) {
    // Out of memory while recording the message: keep the code, lose the text.
    last_error.clear();
  }
  return code;
}

blobgraph_status FromStatus(const Status& status) noexcept {
  if (status.ok()) return BLOBGRAPH_OK;
  blobgraph_status code = BLOBGRAPH_INTERNAL;
  switch (status.code()) {
    case Status::Code::kOk:
      code = BLOBGRAPH_OK;
      break;
    case Status::Code::kNotFound:
      code = BLOBGRAPH_NOT_FOUND;
      break;
    case Status::Code::kInvalidInput:
      code = BLOBGRAPH_INVALID_INPUT;
      break;
    case Status::Code::kCorruption:
      code = BLOBGRAPH_CORRUPTION;
      break;
    case Status::Code::kIOError:
      code = BLOBGRAPH_IO_ERROR;
      break;
    case Status::Code::kBusy:
      code = BLOBGRAPH_BUSY;
      break;
    case Status::Code::kIncompatible:
      code = BLOBGRAPH_INCOMPATIBLE;
      break;
  }
  try {
    return Fail(code, status.message());
  } catch (...) {
    return Fail(code, "");
  }
}

blobgraph_status ClosedHandle(const char* function, const char* what) noexcept {
  try {
    return Fail(BLOBGRAPH_CLOSED_HANDLE, std::string(function) + ": " + what +
                                             " handle is NULL, closed or not a " + what +
                                             " handle");
  } catch (...) {
    return Fail(BLOBGRAPH_CLOSED_HANDLE, "");
  }
}

blobgraph_status NullArgument(const char* function, const char* argument) noexcept {
  try {
    return Fail(BLOBGRAPH_INVALID_ARGUMENT, std::string(function) + ": " + argument + " is NULL");
  } catch (...) {
    return Fail(BLOBGRAPH_INVALID_ARGUMENT, "");
  }
}

}  // namespace blobgraph::capi

using namespace blobgraph;
using namespace blobgraph::capi;

extern "C" {

const char* blobgraph_version(void) { return BLOBGRAPH_VERSION_STRING; }

const char* blobgraph_status_name(blobgraph_status status) {
  switch (status) {
    case BLOBGRAPH_OK:
      return "ok";
    case BLOBGRAPH_NOT_FOUND:
      return "not found";
    case BLOBGRAPH_INVALID_INPUT:
      return "invalid input";
    case BLOBGRAPH_CORRUPTION:
      return "corruption";
    case BLOBGRAPH_IO_ERROR:
      return "I/O error";
    case BLOBGRAPH_BUSY:
      return "busy";
    case BLOBGRAPH_INCOMPATIBLE:
      return "incompatible";
    case BLOBGRAPH_INVALID_ARGUMENT:
      return "invalid argument";
    case BLOBGRAPH_CLOSED_HANDLE:
      return "closed handle";
    case BLOBGRAPH_INTERNAL:
      return "internal error";
  }
  return "unknown";
}

const char* blobgraph_last_error(void) { return last_error.c_str(); }

blobgraph_status blobgraph_hash_parse(const char* text, size_t length, blobgraph_hash* out) {
  return Guard("blobgraph_hash_parse", [&] {
    if (text == nullptr) return NullArgument("blobgraph_hash_parse", "text");
    if (out == nullptr) return NullArgument("blobgraph_hash_parse", "out");
    auto hash = BlobHash::Parse(std::string_view(text, length));
    if (!hash.ok()) return FromStatus(hash.status());
    std::memcpy(out->bytes, hash->data(), BlobHash::kSize);
    return BLOBGRAPH_OK;
  });
}

blobgraph_status blobgraph_hash_to_hex(const blobgraph_hash* hash, char out[65]) {
  if (hash == nullptr) return NullArgument("blobgraph_hash_to_hex", "hash");
  if (out == nullptr) return NullArgument("blobgraph_hash_to_hex", "out");
  BlobHash::FromBytes(hash->bytes).WriteHex(out);
  out[BlobHash::kHexSize] = '\0';
  return BLOBGRAPH_OK;
}

}  // extern "C"
