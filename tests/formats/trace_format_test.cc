#include "formats/trace_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "formats/formats_test_util.h"

namespace blobgraph::formats {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;
using testing::TempDir;
using testing::TestHash;
using testing::WriteFile;

std::vector<CallEvent> MakeEvents(size_t n) {
  std::vector<CallEvent> events;
  for (size_t i = 0; i < n; ++i) {
    // Every 100th is a root call (all-zero caller).
    events.push_back({i % 100 == 0 ? BlobHash() : TestHash(i % 37), TestHash(i % 53 + 1000)});
  }
  return events;
}

Result<std::vector<CallEvent>> ReadAll(const std::string& path, TraceFormat format,
                                       size_t* chunks = nullptr) {
  std::vector<CallEvent> events;
  Status status = ReadTrace(path, format, [&](std::span<const CallEvent> chunk) {
    EXPECT_LE(chunk.size(), kTraceChunkEvents);
    events.insert(events.end(), chunk.begin(), chunk.end());
    if (chunks) ++*chunks;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return events;
}

class TraceRoundTripTest : public ::testing::TestWithParam<TraceFormat> {};

TEST_P(TraceRoundTripTest, WriteThenReadGivesSameEventsInOrder) {
  TempDir dir;
  // More than one chunk, not a multiple of the chunk size.
  std::vector<CallEvent> events = MakeEvents(kTraceChunkEvents + 1234);
  std::string path = dir.File("trace");
  ASSERT_TRUE(WriteTrace(path, GetParam(), events).ok());
  auto detected = DetectTraceFormat(path);
  ASSERT_TRUE(detected.ok()) << detected.status().ToString();
  EXPECT_EQ(*detected, GetParam());
  size_t chunks = 0;
  auto read = ReadAll(path, TraceFormat::kAuto, &chunks);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, events);
  EXPECT_GE(chunks, 2u);
}

TEST_P(TraceRoundTripTest, EmptyTraceRoundTrips) {
  TempDir dir;
  ASSERT_TRUE(WriteTrace(dir.File("t"), GetParam(), {}).ok());
  auto read = ReadAll(dir.File("t"), GetParam());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_TRUE(read->empty());
}

INSTANTIATE_TEST_SUITE_P(AllFormats, TraceRoundTripTest,
                         ::testing::Values(TraceFormat::kText, TraceFormat::kBinary,
                                           TraceFormat::kCapnp),
                         [](const auto& info) { return std::string(TraceFormatName(info.param)); });

TEST(TraceFormatTest, BinaryLayoutIsCallerThenCallee) {
  TempDir dir;
  std::vector<CallEvent> events = {{TestHash(1), TestHash(2)}};
  ASSERT_TRUE(WriteTrace(dir.File("t.bin"), TraceFormat::kBinary, events).ok());
  std::string bytes = ReadFile(dir.File("t.bin"));
  ASSERT_EQ(bytes.size(), 64u);
  EXPECT_EQ(bytes.substr(0, 32), TestHash(1).AsBytes());
  EXPECT_EQ(bytes.substr(32, 32), TestHash(2).AsBytes());
}

TEST(TraceFormatTest, TextRootCallerIsSixtyFourZeros) {
  TempDir dir;
  std::string text = std::string(64, '0') + " " + TestHash(7).ToHex() + "\n";
  WriteFile(dir.File("t.txt"), text);
  auto read = ReadAll(dir.File("t.txt"), TraceFormat::kAuto);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 1u);
  EXPECT_TRUE((*read)[0].caller.IsZero());
}

TEST(TraceFormatTest, BinaryWithPartialRecordNamesItsOffset) {
  TempDir dir;
  std::string bytes(64 * 64 + 17, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i % 251);
  WriteFile(dir.File("trace.bin"), bytes);
  auto detected = DetectTraceFormat(dir.File("trace.bin"));
  ASSERT_FALSE(detected.ok());
  EXPECT_THAT(detected.status().message(),
              HasSubstr("trace.bin: offset 4096: truncated record: 17 bytes, expected 64"));
  auto read = ReadAll(dir.File("trace.bin"), TraceFormat::kBinary);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(),
              HasSubstr("trace.bin: offset 4096: truncated record: 17 bytes, expected 64"));
}

TEST(TraceFormatTest, LargeBinaryPartialRecordOffsetBeyondFirstChunk) {
  TempDir dir;
  std::vector<CallEvent> events = MakeEvents(kTraceChunkEvents + 5);
  ASSERT_TRUE(WriteTrace(dir.File("t.bin"), TraceFormat::kBinary, events).ok());
  std::string bytes = ReadFile(dir.File("t.bin"));
  WriteFile(dir.File("t.bin"), bytes.substr(0, bytes.size() - 30));
  auto read = ReadAll(dir.File("t.bin"), TraceFormat::kBinary);
  ASSERT_FALSE(read.ok());
  uint64_t offset = (kTraceChunkEvents + 4) * 64;
  EXPECT_THAT(read.status().message(),
              HasSubstr("offset " + std::to_string(offset) + ": truncated record: 34 bytes"));
}

TEST(TraceFormatTest, TextTraceRejectsDeclarationsAndCounts) {
  TempDir dir;
  WriteFile(dir.File("a.txt"),
            TestHash(1).ToHex() + " " + TestHash(2).ToHex() + "\n" + TestHash(3).ToHex() + "\n");
  auto read = ReadAll(dir.File("a.txt"), TraceFormat::kText);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(),
              HasSubstr("a.txt: line 2: a trace event needs a caller and a callee"));
  WriteFile(dir.File("b.txt"), TestHash(1).ToHex() + " " + TestHash(2).ToHex() + " 5\n");
  read = ReadAll(dir.File("b.txt"), TraceFormat::kText);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(), HasSubstr("b.txt: line 1: a trace line is one call"));
}

TEST(TraceFormatTest, TextTraceWithBadHashNamesLine) {
  TempDir dir;
  WriteFile(dir.File("t.txt"), TestHash(1).ToHex() + " " + TestHash(2).ToHex() + "\n" +
                                   TestHash(1).ToHex() + " 1234\n");
  auto read = ReadAll(dir.File("t.txt"), TraceFormat::kAuto);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(),
              HasSubstr("t.txt: line 2: column 66: callee hash '1234' has 4 hex digits"));
}

TEST(TraceFormatTest, TruncatedCapnpTraceIsAnError) {
  TempDir dir;
  std::vector<CallEvent> events = MakeEvents(1000);
  ASSERT_TRUE(WriteTrace(dir.File("t.capnp"), TraceFormat::kCapnp, events).ok());
  std::string bytes = ReadFile(dir.File("t.capnp"));
  for (size_t cut : {bytes.size() - 1, bytes.size() - 16, bytes.size() / 2, size_t{200}}) {
    WriteFile(dir.File("cut.capnp"), bytes.substr(0, cut));
    auto read = ReadAll(dir.File("cut.capnp"), TraceFormat::kCapnp);
    ASSERT_FALSE(read.ok()) << "cut at " << cut;
    EXPECT_THAT(read.status().message(), HasSubstr("cut.capnp: "));
    EXPECT_EQ(read.status().code(), Status::Code::kInvalidInput);
  }
}

TEST(TraceFormatTest, MissingFileIsIOError) {
  auto detected = DetectTraceFormat("/nonexistent/t.bin");
  ASSERT_FALSE(detected.ok());
  EXPECT_EQ(detected.status().code(), Status::Code::kIOError);
}

TEST(TraceFormatTest, WriterNeedsAFormat) {
  TempDir dir;
  auto writer = TraceWriter::Open(dir.File("t"), TraceFormat::kAuto);
  EXPECT_FALSE(writer.ok());
}

}  // namespace
}  // namespace blobgraph::formats
