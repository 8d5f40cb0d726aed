// Static call sites are facts of a content hash: through the real
// executable, importing the same dependency set again (a retry after a
// crash or a timeout) changes nothing, by every path that brings static
// counts; a different list for a caller already known is refused naming the
// caller, exits non-zero and applies nothing of that update.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "blobgraph/dependency_io.h"
#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;

const std::string kA = HexOf(0xa1), kB = HexOf(0xb2), kC = HexOf(0xc3), kD = HexOf(0xd4),
                  kE = HexOf(0xe5);

class StaticIdempotenceTest : public CliTest {
 protected:
  // The store's edge and function lines, sorted (the header has a fresh id).
  std::string Dump(const std::string& db_path) const {
    CommandResult result = Run({"export", "--all", "--format", "text", "--db", db_path});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return CanonicalDump(result.out);
  }
  std::string Dump() const { return Dump(db()); }
  void ExpectOk(const CommandResult& result) const {
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  }
};

TEST_F(StaticIdempotenceTest, SameDependencyTextTwiceIsANoOp) {
  ExpectOk(Run({"import", "--text", "data/sample/email/static.txt"}));
  std::string once = Dump();
  ASSERT_FALSE(once.empty());
  ExpectOk(Run({"import", "--text", "data/sample/email/static.txt"}));
  EXPECT_EQ(Dump(), once);
  CommandResult verify = Run({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(StaticIdempotenceTest, SameCapnpDependencySetTwiceIsANoOpAndAChangedOneIsRefused) {
  auto hash = [](const std::string& hex) { return BlobHash::Parse(hex).value(); };
  auto write = [&](const std::string& name, const std::vector<BlobHash>& callees_of_a) {
    std::string path = dir() + "/" + name;
    auto writer = formats::DependencyWriter::Open(path, formats::DependencyFormat::kCapnp);
    EXPECT_TRUE(writer.ok()) << writer.status().ToString();
    EXPECT_TRUE((*writer)->AddFunction(hash(kA), "a", callees_of_a).ok());
    EXPECT_TRUE((*writer)->AddFunction(hash(kD), "d", std::vector<BlobHash>{hash(kE)}).ok());
    EXPECT_TRUE((*writer)->Finish().ok());
    return path;
  };
  std::string deps = write("deps.capnp", {hash(kB), hash(kB), hash(kC)});
  ExpectOk(Run({"import", "--capnp", deps}));
  std::string once = Dump();
  ExpectOk(Run({"import", "--capnp", deps}));
  EXPECT_EQ(Dump(), once);
  std::string changed = write("changed.capnp", {hash(kB), hash(kC)});
  CommandResult result = Run({"import", "--capnp", changed});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("caller " + kA));
  EXPECT_EQ(Dump(), once);
}

TEST_F(StaticIdempotenceTest, DifferentListForAKnownCallerIsRefusedAndNothingApplied) {
  // kA calls kB twice and kC once.
  WriteFile("first.txt", kA + " " + kB + "\n" + kA + " " + kB + "\n" + kA + " " + kC + "\n");
  ExpectOk(Run({"import", "--text", "first.txt"}));
  std::string before = Dump();
  // The same dependency set again, in another order and with a count: fine.
  WriteFile("again.txt", kA + " " + kC + "\n" + kA + " " + kB + " 2\n");
  ExpectOk(Run({"import", "--text", "again.txt"}));
  EXPECT_EQ(Dump(), before);

  // A new caller kD (fine alone) and a changed list for kA: all refused.
  WriteFile("changed.txt", kD + " " + kE + "\n" + kA + " " + kB + "\n" + kA + " " + kC + "\n");
  CommandResult result = Run({"import", "--text", "changed.txt"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("caller " + kA));
  EXPECT_THAT(result.err, HasSubstr("static call sites differ from the stored ones"));
  EXPECT_THAT(result.err, HasSubstr("callee " + kB + ": stored 2, update 1"));
  EXPECT_THAT(result.err, HasSubstr("nothing of this update was applied"));
  EXPECT_EQ(Dump(), before);  // kD's edge did not land either

  // A list that adds a callee is a different list too.
  WriteFile("grown.txt", kA + " " + kB + " 2\n" + kA + " " + kC + "\n" + kA + " " + kE + "\n");
  result = Run({"import", "--text", "grown.txt"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("caller " + kA));
  EXPECT_EQ(Dump(), before);
}

TEST_F(StaticIdempotenceTest, DynamicCountsStillAddUp) {
  WriteFile("deps.txt", kA + " " + kB + "\n");
  ExpectOk(Run({"import", "--text", "deps.txt"}));
  ExpectOk(Run({"import", "--kind", "dynamic", "--text", "deps.txt"}));
  ExpectOk(Run({"import", "--kind", "dynamic", "--text", "deps.txt"}));
  EXPECT_THAT(Dump(), HasSubstr(kA + " " + kB + " 1 2\n"));
}

TEST_F(StaticIdempotenceTest, MergedProfileRepeatingTheStaticCountsAddsOnlyItsCalls) {
  // Machine one: the dependencies and a recorded run, exported as a profile.
  std::string machine = dir() + "/machine.db";
  ExpectOk(Run({"import", "--text", "data/sample/email/static.txt", "--db", machine}));
  ExpectOk(Run({"record", "--trace", Gunzip("email", "train.bin"), "--db", machine}));
  for (const char* format : {"capnp", "text", "json"}) {
    std::string profile = dir() + "/profile." + format;
    ExpectOk(Run({"export", "--all", "--format", format, "-o", profile, "--db", machine}));
  }
  // Here: the same dependencies, then the profile, whose static counts are
  // the same facts: the result equals the machine's store, not twice its
  // static counts.
  ExpectOk(Run({"import", "--text", "data/sample/email/static.txt"}));
  ExpectOk(Run({"merge", dir() + "/profile.capnp"}));
  EXPECT_EQ(Dump(), Dump(machine));
  // The same profile merged twice (same id, so --force) adds its calls
  // twice but its call sites once.
  std::string twice = dir() + "/twice.db";
  ExpectOk(Run({"merge", dir() + "/profile.text", "--db", twice}));
  ExpectOk(Run({"merge", "--force", dir() + "/profile.json", "--db", twice}));
  CommandResult stats_once = Run({"stats", "--json", "--db", machine});
  CommandResult stats_twice = Run({"stats", "--json", "--db", twice});
  auto field = [](const std::string& json, const std::string& key) {
    size_t at = json.find("\"" + key + "\":");
    return at == std::string::npos ? std::string("?")
                                   : json.substr(at, json.find_first_of(",}", at) - at);
  };
  EXPECT_EQ(field(stats_twice.out, "static_total"), field(stats_once.out, "static_total"));
  EXPECT_NE(field(stats_twice.out, "dynamic_total"), field(stats_once.out, "dynamic_total"));
}

TEST_F(StaticIdempotenceTest, FilteredExportNeverCarriesPartOfAStaticList) {
  // kA: two call sites to kB (called 50 times), one to kC (never called).
  WriteFile("deps.txt", kA + " " + kB + " 2\n" + kA + " " + kC + "\n" + kD + " " + kE + "\n");
  WriteFile("calls.txt", kA + " " + kB + " 50\n");
  std::string machine = dir() + "/machine.db";
  ExpectOk(Run({"import", "--text", "deps.txt", "--db", machine}));
  ExpectOk(Run({"import", "--kind", "dynamic", "--text", "calls.txt", "--db", machine}));
  ExpectOk(Run({"export", "--all", "--format", "text", "--min-count", "2", "-o", "hot.txt", "--db",
                machine}));
  std::string hot = ReadFile(dir() + "/hot.txt");
  EXPECT_THAT(hot, HasSubstr(kA + " " + kB + " 0 50\n"));  // kC left out: no static for kA
  EXPECT_THAT(hot, ::testing::Not(HasSubstr(kA + " " + kC)));
  // Into a store with the full lists: only calls add. Into a fresh one, and
  // then the full dependencies: no conflict either way.
  ExpectOk(Run({"import", "--text", "deps.txt"}));
  ExpectOk(Run({"merge", "hot.txt"}));
  EXPECT_EQ(Dump(), Dump(machine));
  std::string fresh = dir() + "/fresh.db";
  ExpectOk(Run({"merge", "hot.txt", "--db", fresh}));
  ExpectOk(Run({"import", "--text", "deps.txt", "--db", fresh}));
  EXPECT_EQ(Dump(fresh), Dump(machine));
}

TEST_F(StaticIdempotenceTest, ShapeStoreImportedTwiceIsANoOp) {
  ExpectOk(Run({"import", "--shape-store", "data/shape/good"}));
  std::string once = Dump();
  ASSERT_FALSE(once.empty());
  ExpectOk(Run({"import", "--shape-store", "data/shape/good"}));
  EXPECT_EQ(Dump(), once);
}

TEST_F(StaticIdempotenceTest, ShapeStoreConflictingWithTextNamesTheCaller) {
  // good.edges.tsv lists the shape store's call sites ("CALLER CALLEE" per
  // line); import them as text with one call site more for the first caller:
  // the blob store then disagrees with what is stored.
  std::string text = ReadFile(std::string(BLOBGRAPH_TEST_DATA_DIR) + "/shape/good.edges.tsv");
  std::string caller = text.substr(0, 64);
  text += caller + " " + kE + "\n";
  WriteFile("shape.txt", text);
  ExpectOk(Run({"import", "--text", "shape.txt"}));
  std::string before = Dump();
  CommandResult result = Run({"import", "--shape-store", "data/shape/good"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("caller " + caller));
  EXPECT_EQ(Dump(), before);
}

}  // namespace
}  // namespace blobgraph::tools::testing
