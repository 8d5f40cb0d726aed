// A text profile's %00 escape would bring a NUL into a name or host, which
// no profile writer can carry (schema::CheckName): stored, it made every
// later export of the store fail. The reader refuses it naming line and column.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "blobgraph/profile_io.h"
#include "formats/formats_test_util.h"

namespace blobgraph::formats {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;
using testing::TestHash;
using testing::WriteFile;

TEST(ProfileTextNulTest, NulInNameOrHostIsRefusedNamingLineAndColumn) {
  TempDir dir;
  std::string head = "# blobgraph-profile version=1 id=000102030405060708090a0b0c0d0e0f host=";
  std::string fn = "fn " + TestHash(1).ToHex() + " ";
  WriteFile(dir.File("name.txt"), head + "h created_ms=1\n" + fn + "a%00b\n");
  auto read = ReadProfile(dir.File("name.txt"));
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(),
              HasSubstr("name.txt: line 2: column " + std::to_string(fn.size() + 1) +
                        ": name: %00 (NUL), which Cap'n Proto Text cannot carry"));

  WriteFile(dir.File("host.txt"), head + "h%00 created_ms=1\n");
  read = ReadProfile(dir.File("host.txt"));
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(), HasSubstr("host.txt: line 1: column "));
  EXPECT_THAT(read.status().message(), HasSubstr("host: %00 (NUL)"));

  // Other escaped control bytes stay as they are.
  WriteFile(dir.File("ok.txt"), head + "h%01 created_ms=1\n" + fn + "a%1Bb%7F\n");
  read = ReadProfile(dir.File("ok.txt"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->profile->source_host, "h\x01");
  ASSERT_EQ(read->names.size(), 1u);
  EXPECT_EQ(read->names[0].second,
            "a\x1b"
            "b\x7f");
}

}  // namespace
}  // namespace blobgraph::formats
