#include "blobgraph/blob_hash.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <unordered_set>

namespace blobgraph {
namespace {

const char kHex[] = "05260afa1311ac48c6bb1fa6a46c06e7a3e7cadf5becfd3707571d7e2e3a63f6";

TEST(BlobHashTest, ParsesLowercaseHexAndPrintsItBack) {
  auto hash = BlobHash::Parse(kHex);
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(hash->ToHex(), kHex);
  EXPECT_EQ(hash->data()[0], 0x05);
  EXPECT_EQ(hash->data()[31], 0xf6);
}

TEST(BlobHashTest, AcceptsUpperCaseAndSha256Prefix) {
  std::string upper = kHex;
  for (char& c : upper) c = static_cast<char>(toupper(c));
  auto from_upper = BlobHash::Parse(upper);
  auto from_prefixed = BlobHash::Parse(std::string("sha256:") + kHex);
  ASSERT_TRUE(from_upper.ok());
  ASSERT_TRUE(from_prefixed.ok());
  EXPECT_EQ(from_upper->ToHex(), kHex);
  EXPECT_EQ(*from_prefixed, *from_upper);
}

TEST(BlobHashTest, RejectsWrongLengthQuotingInputAndLength) {
  auto short_hash = BlobHash::Parse("abcd");
  ASSERT_FALSE(short_hash.ok());
  EXPECT_EQ(short_hash.status().code(), Status::Code::kInvalidInput);
  EXPECT_NE(short_hash.status().message().find("'abcd'"), std::string::npos);
  EXPECT_NE(short_hash.status().message().find("4 hex digits, expected 64"), std::string::npos);

  auto long_hash = BlobHash::Parse(std::string(kHex) + "0");
  ASSERT_FALSE(long_hash.ok());
  EXPECT_NE(long_hash.status().message().find("65 hex digits"), std::string::npos);

  auto empty = BlobHash::Parse("");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("0 hex digits"), std::string::npos);
}

TEST(BlobHashTest, RejectsBadCharacterNamingItAndItsPosition) {
  std::string bad = kHex;
  bad[10] = 'g';
  auto parsed = BlobHash::Parse(bad);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("'g' at position 10"), std::string::npos)
      << parsed.status().message();

  auto prefixed = BlobHash::Parse("sha256:" + bad);
  ASSERT_FALSE(prefixed.ok());
  EXPECT_NE(prefixed.status().message().find("at position 17"), std::string::npos);

  std::string with_space = kHex;
  with_space[0] = ' ';
  EXPECT_FALSE(BlobHash::Parse(with_space).ok());
  EXPECT_FALSE(BlobHash::Parse(std::string("SHA256:") + kHex).ok());
  EXPECT_FALSE(BlobHash::Parse(std::string("0x") + std::string(kHex).substr(2)).ok());
}

TEST(BlobHashTest, QuotesUnprintableInputEscaped) {
  std::string bad(64, 'a');
  bad[3] = '\n';
  auto parsed = BlobHash::Parse(bad);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("\\x0a"), std::string::npos);
}

TEST(BlobHashTest, FromByteStringChecksLength) {
  EXPECT_FALSE(BlobHash::FromByteString(std::string(31, 'x')).ok());
  auto ok = BlobHash::FromByteString(std::string(32, '\x01'));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->data()[31], 1);
  EXPECT_NE(BlobHash::FromByteString("abc").status().message().find("3 bytes, expected 32"),
            std::string::npos);
}

TEST(BlobHashTest, IsOrderedAndHashable) {
  auto a = BlobHash::Parse(std::string(63, '0') + "1");
  auto b = BlobHash::Parse(std::string(63, '0') + "2");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_LT(*a, *b);
  EXPECT_TRUE(BlobHash().IsZero());
  EXPECT_FALSE(a->IsZero());
  std::unordered_set<BlobHash> set{*a, *b, *a};
  EXPECT_EQ(set.size(), 2u);
  std::set<BlobHash> ordered{*b, *a};
  EXPECT_EQ(*ordered.begin(), *a);
}

TEST(BlobHashTest, FingerprintMixesEveryByte) {
  // Hashes that differ only in their last bytes (as in hand-made inputs
  // like "%064x" of a counter) must not collide, or hash tables degrade.
  std::unordered_set<uint64_t> fingerprints;
  for (int i = 0; i < 4096; ++i) {
    char hex[65];
    std::snprintf(hex, sizeof(hex), "%064x", i);
    auto hash = BlobHash::Parse(hex);
    ASSERT_TRUE(hash.ok());
    fingerprints.insert(hash->Fingerprint());
  }
  EXPECT_EQ(fingerprints.size(), 4096u);
  std::unordered_set<uint64_t> low_bits;
  for (uint64_t fingerprint : fingerprints) low_bits.insert(fingerprint & 1023);
  EXPECT_GT(low_bits.size(), 900u);  // spread over a 1024-slot table
}

}  // namespace
}  // namespace blobgraph
