// schema/capnp_errors.h: a Status survives the trip through a kj::Exception
// with its code carried apart from the text, so no text is read for a code.
#include "schema/capnp_errors.h"

#include <gtest/gtest.h>
#include <kj/debug.h>

namespace blobgraph::schema {
namespace {

Status RoundTrip(const Status& status, const std::string& context) {
  try {
    ThrowStatus(status);
  } catch (const kj::Exception& exception) {
    return StatusFromException(exception, Status::Code::kCorruption, context);
  }
  return Status::Ok();
}

TEST(CapnpErrorsTest, EveryCodeSurvivesAnExceptionWhateverTheTextSays) {
  const Status statuses[] = {Status::NotFound("busy: a message that names another code"),
                             Status::InvalidInput("bad"),
                             Status::Corruption("torn"),
                             Status::IOError("disk"),
                             Status::Busy("invalid input: later"),
                             Status::Incompatible("newer")};
  for (const Status& status : statuses) {
    Status back = RoundTrip(status, "server a:1");
    EXPECT_EQ(back.code(), status.code()) << back.ToString();
    EXPECT_EQ(back.message(), "server a:1: " + status.message());
  }
  EXPECT_EQ(RoundTrip(Status::InvalidInput("bad"), "").message(), "bad");
}

TEST(CapnpErrorsTest, AnExceptionWithoutACodeIsMappedByItsType) {
  kj::Exception failed(kj::Exception::Type::FAILED, __FILE__, __LINE__,
                       kj::heapString("remote exception: invalid input: text only"));
  Status plain = StatusFromException(failed, Status::Code::kIOError, "server a:1");
  EXPECT_EQ(plain.code(), Status::Code::kIOError);
  EXPECT_EQ(plain.message(), "server a:1: invalid input: text only");
  kj::Exception gone(kj::Exception::Type::DISCONNECTED, __FILE__, __LINE__,
                     kj::heapString("reset"));
  EXPECT_EQ(StatusFromException(gone, Status::Code::kInvalidInput, "x").ToString(),
            "I/O error: x: disconnected: reset");
  kj::Exception full(kj::Exception::Type::OVERLOADED, __FILE__, __LINE__, kj::heapString("later"));
  EXPECT_EQ(StatusFromException(full, Status::Code::kInvalidInput, "x").code(),
            Status::Code::kBusy);
  EXPECT_EQ(EncodeStatusTrace(failed), "");
}

TEST(CapnpErrorsTest, GuardCapnpReportsWhereWithTheGivenCode) {
  Status status = GuardCapnp(
      Status::Code::kInvalidInput, [] { return std::string("f: message 2"); },
      []() -> Status { KJ_FAIL_REQUIRE("truncated"); });
  EXPECT_EQ(status.code(), Status::Code::kInvalidInput);
  EXPECT_EQ(status.message().rfind("f: message 2: ", 0), 0u) << status.message();
}

}  // namespace
}  // namespace blobgraph::schema
