// The Cap'n Proto stream codec against malformed streams. Well-formed round
// trips are in trace_format_test, dependency_io_test and profile_io_test.
#include "schema/stream_codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <functional>

#include "formats/formats_test_util.h"
#include "schema/blobgraph.capnp.h"

namespace blobgraph::schema {
namespace {

using formats::testing::ReadFile;
using formats::testing::TempDir;
using formats::testing::TestHash;
using formats::testing::WriteFile;
using ::testing::HasSubstr;

capnp::Data::Reader Bytes(const BlobHash& hash, size_t size = 32) { return {hash.data(), size}; }

// Writes a hand-made stream: each function fills one message.
void WriteMessages(const std::string& path,
                   const std::vector<std::function<void(StreamMessage::Builder)>>& messages) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  for (const auto& fill : messages) {
    capnp::MallocMessageBuilder message;
    fill(message.initRoot<StreamMessage>());
    capnp::writeMessageToFd(fd, message);
  }
  ::close(fd);
}

std::function<void(StreamMessage::Builder)> Header(StreamKind kind) {
  return [kind](StreamMessage::Builder root) {
    auto header = root.initHeader();
    header.setMagic(K_FORMAT_MAGIC.get());
    header.setVersion(K_FORMAT_VERSION);
    header.setKind(kind);
  };
}

std::function<void(StreamMessage::Builder)> Events(size_t n, size_t bad_index = SIZE_MAX,
                                                   size_t bad_size = 31) {
  return [=](StreamMessage::Builder root) {
    auto events = root.initEvents(n);
    for (size_t i = 0; i < n; ++i) {
      events[i].setCaller(Bytes(TestHash(i)));
      events[i].setCallee(Bytes(TestHash(i + 1), i == bad_index ? bad_size : 32));
    }
  };
}

std::function<void(StreamMessage::Builder)> End(uint64_t entries) {
  return [entries](StreamMessage::Builder root) { root.initEnd().setEntries(entries); };
}

// The byte size of a header message: the offset of message 1.
std::string Message1Offset() {
  TempDir dir;
  WriteMessages(dir.File("h.capnp"), {Header(StreamKind::TRACE)});
  return "(offset " + std::to_string(ReadFile(dir.File("h.capnp")).size()) + ")";
}

Status ReadTrace(const std::string& path, uint64_t* events = nullptr) {
  StreamVisitor visitor;
  visitor.on_events = [&](std::span<const TraceEvent> chunk) {
    if (events) *events += chunk.size();
    return Status::Ok();
  };
  return ReadStream(path, StreamContent::kTrace, visitor);
}

TEST(StreamCodecTest, HandMadeStreamReads) {
  TempDir dir;
  WriteMessages(dir.File("t.capnp"), {Header(StreamKind::TRACE), Events(3), Events(2), End(5)});
  uint64_t events = 0;
  Status status = ReadTrace(dir.File("t.capnp"), &events);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(events, 5u);
}

TEST(StreamCodecTest, WrongLengthHashNamesMessageAndEntry) {
  TempDir dir;
  WriteMessages(dir.File("t.capnp"),
                {Header(StreamKind::TRACE), Events(3), Events(4, 2, 31), End(7)});
  Status status = ReadTrace(dir.File("t.capnp"));
  EXPECT_EQ(status.code(), Status::Code::kInvalidInput);
  EXPECT_THAT(status.message(), HasSubstr("t.capnp: message 2 (offset "));
  EXPECT_THAT(status.message(), HasSubstr("events[2]: callee hash has 31 bytes, expected 32"));
  WriteMessages(dir.File("u.capnp"), {Header(StreamKind::TRACE), Events(4, 1, 0), End(4)});
  EXPECT_THAT(ReadTrace(dir.File("u.capnp")).message(),
              HasSubstr("message 1 " + Message1Offset() + ": events[1]: callee hash has 0 bytes"));
}

TEST(StreamCodecTest, MissingEndTrailerIsTruncation) {
  TempDir dir;
  WriteMessages(dir.File("t.capnp"), {Header(StreamKind::TRACE), Events(3)});
  EXPECT_THAT(ReadTrace(dir.File("t.capnp")).message(),
              HasSubstr("t.capnp: truncated stream: ends at offset"));
}

TEST(StreamCodecTest, CountMismatchAndTrailingDataAreErrors) {
  TempDir dir;
  WriteMessages(dir.File("a.capnp"), {Header(StreamKind::TRACE), Events(3), End(4)});
  EXPECT_THAT(ReadTrace(dir.File("a.capnp")).message(), HasSubstr("message 2 (offset "));
  EXPECT_THAT(ReadTrace(dir.File("a.capnp")).message(),
              HasSubstr("end trailer counts 4 entries, the stream has 3"));
  WriteMessages(dir.File("b.capnp"), {Header(StreamKind::TRACE), Events(3), End(3), Events(1)});
  EXPECT_THAT(ReadTrace(dir.File("b.capnp")).message(), HasSubstr("message 3 (offset "));
  EXPECT_THAT(ReadTrace(dir.File("b.capnp")).message(), HasSubstr("data after the end trailer"));
}

TEST(StreamCodecTest, HeaderProblemsAreNamed) {
  TempDir dir;
  WriteMessages(dir.File("a.capnp"), {Events(1), End(1)});
  EXPECT_THAT(ReadTrace(dir.File("a.capnp")).message(),
              HasSubstr("a.capnp: message 0 (offset 0): not a blobgraph stream: no header"));
  WriteMessages(dir.File("b.capnp"), {[](StreamMessage::Builder root) {
                  auto header = root.initHeader();
                  header.setMagic("other-stream");
                  header.setVersion(K_FORMAT_VERSION);
                }});
  EXPECT_THAT(ReadTrace(dir.File("b.capnp")).message(), HasSubstr("bad magic"));
  WriteMessages(dir.File("c.capnp"), {[](StreamMessage::Builder root) {
                  auto header = root.initHeader();
                  header.setMagic(K_FORMAT_MAGIC.get());
                  header.setVersion(3);
                }});
  EXPECT_THAT(ReadTrace(dir.File("c.capnp")).message(),
              HasSubstr("unsupported stream version 3, expected 1 to 2"));
  WriteMessages(dir.File("d.capnp"), {Header(StreamKind::DEPENDENCIES), End(0)});
  EXPECT_THAT(ReadTrace(dir.File("d.capnp")).message(),
              HasSubstr("a dependencies stream, expected a trace stream"));
  WriteMessages(dir.File("e.capnp"), {Header(StreamKind::PROFILE), End(0)});
  EXPECT_THAT(ReadStream(dir.File("e.capnp"), std::nullopt, {}).message(),
              HasSubstr("profile stream without a profile identity"));
}

TEST(StreamCodecTest, ChunkOfWrongKindOrOversizedIsRejected) {
  TempDir dir;
  WriteMessages(dir.File("a.capnp"),
                {Header(StreamKind::TRACE),
                 [](StreamMessage::Builder root) { root.initFunctions(1); }, End(1)});
  EXPECT_THAT(ReadTrace(dir.File("a.capnp")).message(),
              HasSubstr("message 1 " + Message1Offset() + ": a functions chunk in a trace stream"));
  WriteMessages(dir.File("b.capnp"), {Header(StreamKind::TRACE), Events(K_MAX_CHUNK_ENTRIES + 1),
                                      End(K_MAX_CHUNK_ENTRIES + 1)});
  EXPECT_THAT(ReadTrace(dir.File("b.capnp")).message(),
              HasSubstr("events chunk has 65537 entries, at most 65536"));
}

TEST(StreamCodecTest, GarbageTruncatedAndOversizedMessagesAreErrorsNotCrashes) {
  TempDir dir;
  std::string garbage;
  for (int i = 0; i < 5000; ++i) garbage += static_cast<char>((i * 167 + 3) % 256);
  WriteFile(dir.File("g.capnp"), garbage);
  Status status = ReadTrace(dir.File("g.capnp"));
  EXPECT_EQ(status.code(), Status::Code::kInvalidInput);
  EXPECT_THAT(status.message(), HasSubstr("g.capnp: message 0 (offset 0)"));

  // A segment table claiming a 2^31-word segment: refused by the reader limits.
  std::string huge("\0\0\0\0\0\0\0\x80", 8);
  WriteFile(dir.File("h.capnp"), huge + std::string(64, '\0'));
  status = ReadTrace(dir.File("h.capnp"));
  EXPECT_EQ(status.code(), Status::Code::kInvalidInput);
  EXPECT_THAT(status.message(), HasSubstr("h.capnp: message 0 (offset 0): "));

  // Every prefix of a valid stream fails cleanly.
  WriteMessages(dir.File("ok.capnp"), {Header(StreamKind::TRACE), Events(3), End(3)});
  std::string bytes = ReadFile(dir.File("ok.capnp"));
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    WriteFile(dir.File("cut.capnp"), bytes.substr(0, cut));
    Status cut_status = ReadTrace(dir.File("cut.capnp"));
    EXPECT_FALSE(cut_status.ok()) << "prefix of " << cut << " bytes accepted";
    EXPECT_THAT(cut_status.message(), HasSubstr("cut.capnp: "));
  }
}

TEST(StreamCodecTest, WriterRefusesEntriesOfAnotherKind) {
  TempDir dir;
  auto writer = StreamWriter::Open(dir.File("t.capnp"), StreamContent::kTrace);
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ((*writer)->AddEdge({}).code(), Status::Code::kInvalidInput);
  EXPECT_TRUE((*writer)->Finish().ok());
  EXPECT_TRUE(ReadTrace(dir.File("t.capnp")).ok());
  EXPECT_FALSE(StreamWriter::Open(dir.File("p.capnp"), StreamContent::kProfile).ok());
  EXPECT_EQ(StreamWriter::Open("/nonexistent/dir/t.capnp", StreamContent::kTrace).status().code(),
            Status::Code::kIOError);
}

TEST(StreamCodecTest, LooksLikeStreamOnlyForStreams) {
  TempDir dir;
  WriteMessages(dir.File("t.capnp"), {Header(StreamKind::TRACE), End(0)});
  std::string bytes = ReadFile(dir.File("t.capnp"));
  auto span = [](const std::string& s) {
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  EXPECT_TRUE(LooksLikeStream(span(bytes)));
  EXPECT_FALSE(LooksLikeStream(span(bytes.substr(0, 20))));
  EXPECT_FALSE(LooksLikeStream(span(std::string(64, '\0'))));
  EXPECT_FALSE(LooksLikeStream(span(std::string("0123456789abcdef 0123"))));
}

}  // namespace
}  // namespace blobgraph::schema
