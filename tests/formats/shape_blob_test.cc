#include "formats/shape_blob.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "formats/formats_test_util.h"

namespace blobgraph::formats {
namespace {

using testing::DataPath;
using ::testing::HasSubstr;
using testing::ReadFile;
using testing::TempDir;
using testing::TestHash;
using testing::WriteFile;

std::vector<std::pair<std::string, std::string>> ReadTsv(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    size_t tab = line.find('\t');
    if (tab == std::string::npos) tab = line.find(' ');
    rows.emplace_back(line.substr(0, tab), line.substr(tab + 1));
  }
  return rows;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string GoodBlobPath() {
  // "caller" in the bad store: a valid blob with two dependencies on "leaf".
  for (const auto& [path, defect] : ReadTsv(DataPath("shape/bad.manifest.tsv"))) {
    if (defect == "ok") {
      std::string bytes = ReadFile(DataPath("shape/bad/" + path));
      auto blob = ParseShapeBlob(Bytes(bytes), path);
      if (blob.ok() && blob->name == "caller") return DataPath("shape/bad/" + path);
    }
  }
  return "";
}

TEST(ShapeBlobTest, GoodStoreImportsNamesAndEdgesOfTheFixture) {
  auto imported = LoadShapeStore(DataPath("shape/good"));
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_TRUE(imported->problems.empty());
  EXPECT_TRUE(imported->dangling.empty());

  std::map<BlobHash, std::string> expected_names;
  for (const auto& [hex, name] : ReadTsv(DataPath("shape/good.names.tsv"))) {
    expected_names[*BlobHash::Parse(hex)] = name;
  }
  std::map<BlobHash, std::string> names(imported->update.names.begin(),
                                        imported->update.names.end());
  EXPECT_EQ(names, expected_names);
  EXPECT_EQ(imported->blobs, expected_names.size());
  std::set<BlobHash> functions(imported->update.functions.begin(),
                               imported->update.functions.end());
  EXPECT_EQ(functions.size(), expected_names.size());

  std::map<std::pair<BlobHash, BlobHash>, uint64_t> expected_edges, edges;
  uint64_t call_sites = 0;
  for (const auto& [caller, callee] : ReadTsv(DataPath("shape/good.edges.tsv"))) {
    ++expected_edges[{*BlobHash::Parse(caller), *BlobHash::Parse(callee)}];
    ++call_sites;
  }
  for (const EdgeDelta& edge : imported->update.edges) {
    edges[{edge.caller, edge.callee}] += edge.static_count;
    EXPECT_EQ(edge.dynamic_count, 0u);
  }
  EXPECT_EQ(edges, expected_edges);
  EXPECT_EQ(imported->call_sites, call_sites);
  // compute calls math.sqrt from three call sites.
  BlobHash compute, sqrt;
  for (const auto& [hash, name] : expected_names) {
    if (name == "compute") compute = hash;
    if (name == "math.sqrt") sqrt = hash;
  }
  EXPECT_EQ((edges[{compute, sqrt}]), 3u);
}

// Substrings the reason for each gen-bad defect must contain.
const std::map<std::string, std::string>& ExpectedReasons() {
  static const std::map<std::string, std::string> reasons = {
      {"empty file", "too short for the header: 0 bytes"},
      {"bad magic", "bad magic"},
      {"unsupported version", "unsupported version 99"},
      {"truncated header", "too short for the header: 30 bytes"},
      {"truncated section table", "section table truncated"},
      {"truncated body", "total size"},
      {"section out of bounds", "section 1 (Metadata) reaches byte"},
      {"dependencies length not a multiple of 32",
       "Dependencies length 35 is not a multiple of 32"},
      {"content hash mismatch", "content hash mismatch"},
      {"duplicate section", "duplicate section 4 (Strings)"},
      {"unknown section type", "unknown section type 0x0099"},
      {"missing section", "missing section 1 (Metadata)"},
      {"not a blob", "bad magic"},
      {"path is not a hash", "path is not a hash"},
  };
  return reasons;
}

TEST(ShapeBlobTest, EachMalformedBlobKindGivesItsReason) {
  auto imported = LoadShapeStore(DataPath("shape/bad"));
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  std::map<std::string, std::string> problems;
  for (const ShapeProblem& problem : imported->problems) problems[problem.path] = problem.reason;
  size_t valid = 0, malformed = 0;
  for (const auto& [path, defect] : ReadTsv(DataPath("shape/bad.manifest.tsv"))) {
    if (defect == "ok" || defect == "dangling") {
      EXPECT_EQ(problems.count(path), 0u) << path << ": " << problems[path];
      ++valid;
      continue;
    }
    ++malformed;
    ASSERT_EQ(ExpectedReasons().count(defect), 1u) << "unknown defect kind " << defect;
    ASSERT_EQ(problems.count(path), 1u) << defect << " not reported: " << path;
    EXPECT_THAT(problems[path], HasSubstr(ExpectedReasons().at(defect))) << defect;
  }
  EXPECT_EQ(problems.size(), malformed);
  EXPECT_EQ(imported->blobs, valid);
  EXPECT_EQ(malformed, ExpectedReasons().size());
}

TEST(ShapeBlobTest, DanglingDependencyIsReportedAndStillImported) {
  auto imported = LoadShapeStore(DataPath("shape/bad"));
  ASSERT_TRUE(imported.ok());
  ASSERT_EQ(imported->dangling.size(), 1u);
  const DanglingDependency& dangling = imported->dangling[0];
  bool edge_found = false;
  for (const EdgeDelta& edge : imported->update.edges) {
    if (edge.caller == dangling.caller && edge.callee == dangling.callee) edge_found = true;
  }
  EXPECT_TRUE(edge_found);
  std::string name;
  for (const auto& [hash, n] : imported->update.names) {
    if (hash == dangling.caller) name = n;
  }
  EXPECT_EQ(name, "orphan_caller");
}

TEST(ShapeBlobTest, StrictModeFailsOnTheFirstMalformedBlob) {
  auto imported = LoadShapeStore(DataPath("shape/bad"), {.strict = true});
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.status().code(), Status::Code::kInvalidInput);
  EXPECT_THAT(imported.status().message(), HasSubstr("shape/bad/00/"));
  EXPECT_THAT(imported.status().message(), HasSubstr("Dependencies length 35"));
  EXPECT_TRUE(LoadShapeStore(DataPath("shape/good"), {.strict = true}).ok());
}

TEST(ShapeBlobTest, IdentityComesFromThePathNotTheBytes) {
  TempDir dir;
  std::string bytes = ReadFile(GoodBlobPath());
  BlobHash identity = TestHash(42);
  std::string hex = identity.ToHex();
  std::filesystem::create_directories(dir.File(hex.substr(0, 2)));
  WriteFile(dir.File(hex.substr(0, 2) + "/" + hex.substr(2) + ".blob"), bytes);
  WriteFile(dir.File("README"), "not a blob, ignored");
  auto imported = LoadShapeStore(dir.path());
  ASSERT_TRUE(imported.ok());
  ASSERT_EQ(imported->update.functions.size(), 1u);
  EXPECT_EQ(imported->update.functions[0], identity);
  ASSERT_EQ(imported->update.edges.size(), 1u);  // two call sites of one callee
  EXPECT_EQ(imported->update.edges[0].caller, identity);
  EXPECT_EQ(imported->update.edges[0].static_count, 2u);
  EXPECT_EQ(imported->dangling.size(), 1u);  // "leaf" has no blob here
}

TEST(ShapeBlobTest, ParseExtractsNameAndDependenciesInOrder) {
  std::string bytes = ReadFile(GoodBlobPath());
  auto blob = ParseShapeBlob(Bytes(bytes), "x.blob");
  ASSERT_TRUE(blob.ok()) << blob.status().ToString();
  EXPECT_EQ(blob->name, "caller");
  ASSERT_EQ(blob->dependencies.size(), 2u);
  EXPECT_EQ(blob->dependencies[0], blob->dependencies[1]);
}

TEST(ShapeBlobTest, EveryTruncationAndByteFlipIsRejectedWithoutCrash) {
  std::string bytes = ReadFile(GoodBlobPath());
  ASSERT_FALSE(bytes.empty());
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    auto blob = ParseShapeBlob(Bytes(bytes.substr(0, cut)), "cut.blob");
    ASSERT_FALSE(blob.ok()) << cut;
    EXPECT_THAT(blob.status().message(), HasSubstr("cut.blob: "));
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string flipped = bytes;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x41);
    auto blob = ParseShapeBlob(Bytes(flipped), "flip.blob");
    EXPECT_FALSE(blob.ok()) << "flip at " << i;
  }
  std::string oversized = bytes + std::string(100, 'x');
  auto blob = ParseShapeBlob(Bytes(oversized), "big.blob");
  ASSERT_FALSE(blob.ok());
  EXPECT_THAT(blob.status().message(), HasSubstr("big.blob: total size"));
}

TEST(ShapeBlobTest, MessagePackNameReader) {
  auto bytes = [](std::initializer_list<int> list) {
    std::vector<uint8_t> out;
    for (int b : list) out.push_back(static_cast<uint8_t>(b));
    return out;
  };
  auto name = [](const std::vector<uint8_t>& v) { return ReadMessagePackName(v); };
  EXPECT_EQ(*name(bytes({0x92, 0xa2, 'h', 'i', 0x00})), "hi");
  EXPECT_EQ(*name(bytes({0xdc, 0x00, 0x01, 0xd9, 0x03, 'a', 'b', 'c'})), "abc");
  EXPECT_EQ(*name(bytes({0x91, 0xda, 0x00, 0x01, 'z'})), "z");
  EXPECT_EQ(*name(bytes({0xdd, 0, 0, 0, 1, 0xdb, 0, 0, 0, 2, 'o', 'k'})), "ok");
  EXPECT_EQ(*name(bytes({0x91, 0xa0})), "");
  EXPECT_THAT(name(bytes({})).status().message(), HasSubstr("metadata is empty"));
  EXPECT_THAT(name(bytes({0x90})).status().message(), HasSubstr("array is empty"));
  EXPECT_THAT(name(bytes({0x81})).status().message(), HasSubstr("not a MessagePack array"));
  EXPECT_THAT(name(bytes({0x91, 0x05})).status().message(),
              HasSubstr("not a string (type byte 0x05)"));
  EXPECT_THAT(name(bytes({0x91, 0xa5, 'a'})).status().message(),
              HasSubstr("reaches past the section"));
  EXPECT_THAT(name(bytes({0x91, 0xdb, 0xff, 0xff})).status().message(), HasSubstr("truncated"));
  EXPECT_THAT(name(bytes({0x91, 0xdb, 0xff, 0xff, 0xff, 0xff})).status().message(),
              HasSubstr("4294967295 bytes reaches past"));
  EXPECT_THAT(name(bytes({0xdc, 0x00})).status().message(), HasSubstr("truncated"));
}

TEST(ShapeBlobTest, MissingRootIsIOError) {
  auto imported = LoadShapeStore("/nonexistent/store");
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.status().code(), Status::Code::kIOError);
  EXPECT_THAT(imported.status().message(), HasSubstr("/nonexistent/store: not a directory"));
}

}  // namespace
}  // namespace blobgraph::formats
