#include "formats/text_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "formats/formats_test_util.h"

namespace blobgraph::formats {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;
using testing::TestHash;
using testing::WriteFile;

std::string Hex(uint64_t i) { return TestHash(i).ToHex(); }

Result<std::vector<TextRecord>> ReadAll(const std::string& path) {
  std::vector<TextRecord> records;
  Status status = ReadTextRecords(path, [&](const TextRecord& record) {
    records.push_back(record);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return records;
}

Status ReadError(const std::string& name, const std::string& text) {
  TempDir dir;
  WriteFile(dir.File(name), text);
  auto records = ReadAll(dir.File(name));
  EXPECT_FALSE(records.ok()) << "accepted: " << text.substr(0, 200);
  return records.ok() ? Status::Ok() : records.status();
}

TEST(TextFormatTest, ReadsEdgesDeclarationsCountsAndComments) {
  TempDir dir;
  std::string text = "# a comment line\n\n" + Hex(1) + " " + Hex(2) + "\n" + "\t" + Hex(1) + "\t" +
                     Hex(3) + "  7   # trailing comment\r\n" + Hex(4) + "\n" +
                     "sha256:" + TestHash(5).ToHex() + " " + Hex(6);  // no final newline
  WriteFile(dir.File("deps.txt"), text);
  auto records = ReadAll(dir.File("deps.txt"));
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 4u);
  EXPECT_EQ((*records)[0].caller, TestHash(1));
  EXPECT_EQ((*records)[0].callee, TestHash(2));
  EXPECT_EQ((*records)[0].count, 1u);
  EXPECT_EQ((*records)[0].line, 3u);
  EXPECT_EQ((*records)[1].callee, TestHash(3));
  EXPECT_EQ((*records)[1].count, 7u);
  EXPECT_EQ((*records)[1].line, 4u);
  EXPECT_EQ((*records)[2].caller, TestHash(4));
  EXPECT_FALSE((*records)[2].callee.has_value());
  EXPECT_EQ((*records)[3].caller, TestHash(5));
  EXPECT_EQ((*records)[3].line, 6u);
}

TEST(TextFormatTest, ShortCalleeHashNamesFileLineAndColumn) {
  std::string text = Hex(1) + " " + Hex(2) + "\n" + Hex(1) + " abc\n";
  Status status = ReadError("deps.txt", text);
  EXPECT_EQ(status.code(), Status::Code::kInvalidInput);
  EXPECT_THAT(
      status.message(),
      HasSubstr("deps.txt: line 2: column 66: callee hash 'abc' has 3 hex digits, expected 64"));
}

TEST(TextFormatTest, BadCallerCharacterNamesPosition) {
  std::string bad = Hex(1);
  bad[10] = 'g';
  Status status = ReadError("t.txt", bad + "\n");
  EXPECT_THAT(status.message(), HasSubstr("t.txt: line 1: column 1: caller hash"));
  EXPECT_THAT(status.message(), HasSubstr("'g' at position 10"));
}

TEST(TextFormatTest, RejectsZeroNegativeOverflowAndGarbageCounts) {
  std::string edge = Hex(1) + " " + Hex(2) + " ";
  EXPECT_THAT(ReadError("c.txt", edge + "0\n").message(),
              HasSubstr("c.txt: line 1: column 131: count '0' must be a positive integer"));
  EXPECT_THAT(ReadError("c.txt", edge + "-3\n").message(),
              HasSubstr("count '-3' must be a positive integer"));
  EXPECT_THAT(ReadError("c.txt", edge + "18446744073709551616\n").message(),
              HasSubstr("is larger than 18446744073709551615"));
  EXPECT_THAT(ReadError("c.txt", edge + "12x\n").message(),
              HasSubstr("count '12x' is not a decimal integer"));
  EXPECT_THAT(ReadError("c.txt", edge + "+4\n").message(), HasSubstr("line 1: column 131"));
}

TEST(TextFormatTest, RejectsExtraFieldsAndOversizedLines) {
  EXPECT_THAT(ReadError("x.txt", Hex(1) + " " + Hex(2) + " 3 4\n").message(),
              HasSubstr("x.txt: line 1: column 133: unexpected 4th field '4'"));
  std::string huge(kMaxTextLineBytes + 10, 'a');
  EXPECT_THAT(ReadError("x.txt", Hex(1) + "\n" + huge).message(),
              HasSubstr("x.txt: line 2: line longer than 4096 bytes"));
}

TEST(TextFormatTest, GarbageAndTruncatedInputGiveErrorsNotCrashes) {
  std::string garbage;
  for (int i = 0; i < 3000; ++i) garbage += static_cast<char>((i * 131 + 7) % 256);
  Status status = ReadError("g.txt", garbage);
  EXPECT_THAT(status.message(), HasSubstr("g.txt: line "));
  // A hash cut off mid-file (truncated download).
  EXPECT_THAT(ReadError("t.txt", Hex(1) + " " + Hex(2).substr(0, 40)).message(),
              HasSubstr("t.txt: line 1: column 66: callee hash"));
}

TEST(TextFormatTest, MissingFileIsIOError) {
  auto records = ReadAll("/nonexistent/deps.txt");
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), Status::Code::kIOError);
  EXPECT_THAT(records.status().message(), HasSubstr("/nonexistent/deps.txt: cannot open"));
}

TEST(TextFormatTest, VisitorErrorStopsReading) {
  TempDir dir;
  WriteFile(dir.File("d.txt"), Hex(1) + "\n" + Hex(2) + "\n" + Hex(3) + "\n");
  int seen = 0;
  Status status = ReadTextRecords(dir.File("d.txt"), [&](const TextRecord&) {
    return ++seen == 2 ? Status::Busy("stop") : Status::Ok();
  });
  EXPECT_EQ(status.code(), Status::Code::kBusy);
  EXPECT_EQ(seen, 2);
}

TEST(TextFormatTest, WriterRoundTripsAcrossReadBlocks) {
  TempDir dir;
  auto writer = TextWriter::Open(dir.File("big.txt"));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->WriteComment("generated").ok());
  // ~13 MB: several 1 MiB read blocks, so lines straddle block boundaries.
  const uint64_t kLines = 100000;
  for (uint64_t i = 0; i < kLines; ++i) {
    if (i % 10 == 0) {
      ASSERT_TRUE((*writer)->WriteDeclaration(TestHash(i)).ok());
    } else {
      ASSERT_TRUE((*writer)->WriteEdge(TestHash(i), TestHash(i + 1), i % 3 + 1).ok());
    }
  }
  ASSERT_TRUE((*writer)->Finish().ok());
  uint64_t index = 0;
  Status status = ReadTextRecords(dir.File("big.txt"), [&](const TextRecord& record) {
    EXPECT_EQ(record.caller, TestHash(index));
    if (index % 10 == 0) {
      EXPECT_FALSE(record.callee.has_value());
    } else {
      EXPECT_EQ(record.callee, TestHash(index + 1));
      EXPECT_EQ(record.count, index % 3 + 1);
    }
    EXPECT_EQ(record.line, index + 2);
    ++index;
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(index, kLines);
}

TEST(TextFormatTest, ParsesTextInMemory) {
  int seen = 0;
  Status status = ParseTextRecords(Hex(1) + " " + Hex(2) + " 3", "mem", [&](const TextRecord& r) {
    EXPECT_EQ(r.count, 3u);
    ++seen;
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(seen, 1);
  EXPECT_THAT(
      ParseTextRecords("zz", "mem", [](const TextRecord&) { return Status::Ok(); }).message(),
      HasSubstr("mem: line 1: column 1: caller hash 'zz'"));
}

}  // namespace
}  // namespace blobgraph::formats
