// A profile whose own counts overflow (summed per caller, as the store would
// add them) is refused naming the file and the entry; one whose counts reach
// 2^64 - 1 exactly is read as written.
#include "formats/profile_counts.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace blobgraph::formats {
namespace {

BlobHash Hash(uint8_t byte) {
  uint8_t bytes[BlobHash::kSize];
  for (uint8_t& b : bytes) b = byte;
  return BlobHash::FromBytes(bytes);
}

TEST(ProfileCountsTest, SumsUpToTheLimitPass) {
  GraphUpdate update;
  update.edges = {{Hash(1), Hash(2), UINT64_MAX - 1, 0},
                  {Hash(1), Hash(3), 1, UINT64_MAX},
                  {Hash(4), Hash(2), UINT64_MAX, UINT64_MAX}};  // another caller: its own sums
  EXPECT_TRUE(CheckProfileCounts("p.txt", update).ok());
}

TEST(ProfileCountsTest, CallerSumPastTheLimitNamesTheEntry) {
  GraphUpdate update;
  update.edges = {{Hash(1), Hash(2), 0, UINT64_MAX - 1},
                  {Hash(4), Hash(2), 5, 5},
                  {Hash(1), Hash(3), 0, 1},
                  {Hash(1), Hash(2), 0, 1}};  // here caller 1's calls pass 2^64 - 1
  Status status = CheckProfileCounts("p.txt", update);
  EXPECT_EQ(status.code(), Status::Code::kInvalidInput);
  EXPECT_NE(status.message().find("p.txt: edge #4 (" + Hash(1).ToHex() + " -> " + Hash(2).ToHex()),
            std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("dynamic counts"), std::string::npos) << status.message();
}

TEST(ProfileCountsTest, StaticSumPastTheLimitIsRefusedToo) {
  GraphUpdate update;
  update.edges = {{Hash(7), Hash(2), UINT64_MAX, 0}, {Hash(7), Hash(2), 1, 0}};
  Status status = CheckProfileCounts("q.json", update);
  EXPECT_EQ(status.code(), Status::Code::kInvalidInput);
  EXPECT_NE(status.message().find("q.json: edge #2"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("static counts"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace blobgraph::formats
