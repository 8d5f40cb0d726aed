// schema::OutputFile and the writers on it: a file appears whole on success
// and not at all otherwise, a previous file stays intact, nothing throws.
#include "schema/output_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "blobgraph/profile_io.h"
#include "formats/formats_test_util.h"
#include "formats/trace_format.h"
#include "schema/stream_codec.h"

namespace blobgraph::schema {
namespace {

using formats::testing::ReadFile;
using formats::testing::TempDir;
using formats::testing::TestHash;
using formats::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(OutputFileTest, CommitReplacesThePathWhole) {
  TempDir dir;
  WriteFile(dir.File("out"), "previous");
  auto out = OutputFile::Open(dir.File("out"));
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE((*out)->Write("new ").ok());
  EXPECT_EQ(ReadFile(dir.File("out")), "previous");  // not yet
  ASSERT_TRUE((*out)->Write("contents").ok());
  ASSERT_TRUE((*out)->Commit().ok());
  EXPECT_EQ(ReadFile(dir.File("out")), "new contents");
  EXPECT_EQ(Entries(dir.path()), std::vector<std::string>{"out"});
  EXPECT_FALSE((*out)->Commit().ok());
}

TEST(OutputFileTest, AnUncommittedOutputLeavesNothing) {
  TempDir dir;
  WriteFile(dir.File("kept"), "previous");
  {
    auto out = OutputFile::Open(dir.File("kept"));
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE((*out)->Write(std::string(1 << 20, 'x')).ok());
    auto other = OutputFile::Open(dir.File("new"));
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE((*other)->Write("abc").ok());
  }
  EXPECT_EQ(ReadFile(dir.File("kept")), "previous");
  EXPECT_EQ(Entries(dir.path()), std::vector<std::string>{"kept"});
}

TEST(OutputFileTest, AMissingDirectoryNamesThePath) {
  auto out = OutputFile::Open("/nonexistent/dir/p.capnp");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Status::Code::kIOError);
  EXPECT_THAT(out.status().message(), StartsWith("/nonexistent/dir/p.capnp: cannot create: "));
}

// (A full disk is tested through the executable on a real full tmpfs:
// tests/tools/output_paths_test.cc.)
TEST(OutputFileTest, AFinishedStreamIsTheOnlyFileLeft) {
  TempDir dir;
  auto writer = StreamWriter::Open(dir.File("t.capnp"), StreamContent::kTrace);
  ASSERT_TRUE(writer.ok());
  std::vector<TraceEvent> events(1000, TraceEvent{TestHash(1), TestHash(2)});
  ASSERT_TRUE((*writer)->AddEvents(events).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  EXPECT_EQ(Entries(dir.path()), std::vector<std::string>{"t.capnp"});
}

TEST(OutputFileTest, WritersDestroyedUnfinishedLeaveNoFileAndDoNotThrow) {
  TempDir dir;
  WriteFile(dir.File("p"), "previous");
  std::vector<TraceEvent> events(100000, TraceEvent{TestHash(1), TestHash(2)});
  {
    auto stream = StreamWriter::Open(dir.File("p"), StreamContent::kTrace);
    ASSERT_TRUE(stream.ok());
    ASSERT_TRUE((*stream)->AddEvents(events).ok());  // more than one chunk written
  }
  for (formats::TraceFormat format :
       {formats::TraceFormat::kText, formats::TraceFormat::kBinary, formats::TraceFormat::kCapnp}) {
    auto writer = formats::TraceWriter::Open(dir.File("p"), format);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Add(events).ok());
  }
  for (formats::ProfileFormat format :
       {formats::ProfileFormat::kText, formats::ProfileFormat::kCapnp,
        formats::ProfileFormat::kJson}) {
    auto writer = formats::OpenProfileWriter(dir.File("p"), format);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Begin(ProfileInfo::NewForThisHost()).ok());
    ASSERT_TRUE((*writer)->AddEdge(EdgeDelta{TestHash(1), TestHash(2), 1, 2}).ok());
    EXPECT_EQ(ReadFile(dir.File("p")), "previous");  // opening truncates nothing
  }
  EXPECT_EQ(ReadFile(dir.File("p")), "previous");
  EXPECT_EQ(Entries(dir.path()), std::vector<std::string>{"p"});
}

TEST(OutputFileTest, DevicesAndFifosAreWrittenInPlace) {
  auto null = OutputFile::Open("/dev/null");
  ASSERT_TRUE(null.ok()) << null.status().message();
  ASSERT_TRUE((*null)->Write("dropped").ok());
  ASSERT_TRUE((*null)->Commit().ok());
  struct stat info;
  ASSERT_EQ(::stat("/dev/null", &info), 0);
  EXPECT_TRUE(S_ISCHR(info.st_mode));  // still the device
  auto full = OutputFile::Open("/dev/full");
  ASSERT_TRUE(full.ok());
  (void)(*full)->Write(std::string(1 << 16, 'x'));
  Status committed = (*full)->Commit();
  EXPECT_EQ(committed.code(), Status::Code::kIOError);
  EXPECT_THAT(committed.message(), HasSubstr("/dev/full: write failed: No space left on device"));

  TempDir dir;
  ASSERT_EQ(::mkfifo(dir.File("fifo").c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] { received = ReadFile(dir.File("fifo")); });
  auto fifo = OutputFile::Open(dir.File("fifo"));
  ASSERT_TRUE(fifo.ok());
  ASSERT_TRUE((*fifo)->Write("through the fifo").ok());
  ASSERT_TRUE((*fifo)->Commit().ok());
  reader.join();
  EXPECT_EQ(received, "through the fifo");
  EXPECT_EQ(Entries(dir.path()), std::vector<std::string>{"fifo"});
}

TEST(OutputFileTest, ASymlinkStaysALink) {
  TempDir dir;
  WriteFile(dir.File("real"), "old");
  ASSERT_EQ(::symlink("real", dir.File("link").c_str()), 0);
  auto out = OutputFile::Open(dir.File("link"));
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE((*out)->Write("new").ok());
  ASSERT_TRUE((*out)->Commit().ok());
  struct stat info;
  ASSERT_EQ(::lstat(dir.File("link").c_str(), &info), 0);
  EXPECT_TRUE(S_ISLNK(info.st_mode));
  EXPECT_EQ(ReadFile(dir.File("real")), "new");
  EXPECT_EQ(Entries(dir.path()), (std::vector<std::string>{"link", "real"}));
}

}  // namespace
}  // namespace blobgraph::schema
