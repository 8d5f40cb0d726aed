// blobgraph profiles / retract through the real executable: a retraction
// restores exactly the store that never merged the profile (export and
// stats compared), once; a re-merge, a wrong file for the id and an unknown
// id change nothing; a retraction after ageing takes back the aged share.
#include <gtest/gtest.h>

#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

uint64_t StatsField(const std::string& json, const std::string& key) {
  size_t at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return ~uint64_t{0};
  return std::stoull(json.substr(at + key.size() + 3));
}

class RetractCliTest : public CliTest {
 protected:
  // Two machines of one farm: the same code (the email sample's static call
  // sites and names) and different runs (its train and test traces).
  // a.txt (text) and b.capnp (Cap'n Proto) are their exported profiles.
  void SetUp() override {
    CliTest::SetUp();
    const std::string train = Gunzip("email", "train.bin"), test = Gunzip("email", "test.bin");
    for (const auto& [store, trace, file, format] :
         {std::tuple{"a.db", train, "a.txt", "text"},
          std::tuple{"b.db", test, "b.capnp", "capnp"}}) {
      ASSERT_EQ(Run({"import", "-q", "--db", store, "--text", "data/sample/email/static.txt",
                     "--names", "data/sample/email/names.tsv"})
                    .exit_code,
                0);
      ASSERT_EQ(Run({"record", "-q", "--db", store, "--trace", trace}).exit_code, 0);
      CommandResult exported = Run({"export", "-q", "--db", store, "--format", format, "-o", file});
      ASSERT_EQ(exported.exit_code, 0) << exported.err;
    }
    CommandResult only_b = Run({"merge", "--db", OnlyB(), "b.capnp"});
    ASSERT_EQ(only_b.exit_code, 0) << only_b.err;
  }
  std::string OnlyB() const { return dir() + "/only-b.db"; }
  std::string Dump(const std::string& store) const {
    CommandResult result =
        Run({"export", "--all", "-q", "--db", store, "--format", "text", "-o", "-"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return CanonicalDump(result.out);
  }
  // The counts of `stats --json`, without the profile count and the size.
  std::string Counts(const std::string& store) const {
    CommandResult stats = Run({"stats", "--db", store, "--json"});
    EXPECT_EQ(stats.exit_code, 0) << stats.err;
    std::string counts;
    for (const char* key : {"functions", "edges", "static_total", "dynamic_total", "runs"}) {
      counts += std::string(key) + "=" + std::to_string(StatsField(stats.out, key)) + " ";
    }
    return counts;
  }
  std::string IdOf(const std::string& text_profile) const {
    std::string text = ReadFile(dir() + "/" + text_profile);
    size_t at = text.find(" id=");
    return at == std::string::npos ? "" : text.substr(at + 4, 32);
  }
};

TEST_F(RetractCliTest, RetractRestoresTheStoreThatMergedOnlyTheOther) {
  ASSERT_EQ(Run({"merge", "a.txt", "b.capnp"}).exit_code, 0);
  ASSERT_NE(Dump(db()), Dump(OnlyB()));
  CommandResult retracted = Run({"retract", "a.txt"});
  ASSERT_EQ(retracted.exit_code, 0) << retracted.err;
  const std::string id = IdOf("a.txt");
  EXPECT_THAT(retracted.out, HasSubstr("retracted a.txt: profile " + id));
  EXPECT_THAT(retracted.out, HasSubstr("observed calls"));
  EXPECT_EQ(Dump(db()), Dump(OnlyB()));
  EXPECT_EQ(Counts(db()), Counts(OnlyB()));
  EXPECT_EQ(Run({"verify"}).exit_code, 0);

  CommandResult listed = Run({"profiles", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("\"id\":\"" + id + "\""));
  EXPECT_THAT(listed.out, HasSubstr("\"state\":\"retracted\""));
  EXPECT_THAT(listed.out, HasSubstr("\"state\":\"merged\""));
  EXPECT_THAT(listed.out, HasSubstr("\"total\":2"));
  CommandResult table = Run({"profiles"});
  EXPECT_THAT(table.out, HasSubstr(id + "  retracted"));
  EXPECT_THAT(table.out, HasSubstr("2 profiles"));

  // Retracting the other one too leaves nothing but the listing.
  ASSERT_EQ(Run({"retract", "b.capnp"}).exit_code, 0);
  CommandResult stats = Run({"stats", "--json"});
  for (const char* key : {"functions", "edges", "static_total", "dynamic_total", "runs"}) {
    EXPECT_EQ(StatsField(stats.out, key), 0u) << key;
  }
  EXPECT_EQ(StatsField(stats.out, "profiles"), 2u);
  EXPECT_EQ(StatsField(stats.out, "profiles_retracted"), 2u);
}

TEST_F(RetractCliTest, SecondRetractAndReMergeChangeNothing) {
  ASSERT_EQ(Run({"merge", "a.txt", "b.capnp"}).exit_code, 0);
  ASSERT_EQ(Run({"retract", "a.txt"}).exit_code, 0);
  const std::string after = Dump(db()), counts = Counts(db());

  CommandResult again = Run({"retract", "a.txt"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("already retracted"));
  EXPECT_EQ(Dump(db()), after);

  for (bool force : {false, true}) {
    std::vector<std::string> args = {"merge", "a.txt"};
    if (force) args.push_back("--force");
    CommandResult merged = Run(args);
    EXPECT_EQ(merged.exit_code, 1);
    EXPECT_THAT(merged.err, HasSubstr("a.txt"));
    EXPECT_THAT(merged.err, HasSubstr(IdOf("a.txt")));
    EXPECT_THAT(merged.err, HasSubstr("retracted"));
    EXPECT_EQ(Dump(db()), after);
    EXPECT_EQ(Counts(db()), counts);
  }
}

TEST_F(RetractCliTest, WrongFileForTheIdAndUnknownIdLeaveTheStoreUnchanged) {
  ASSERT_EQ(Run({"merge", "a.txt", "b.capnp"}).exit_code, 0);
  const std::string before = Dump(db()), counts = Counts(db());
  // The same id, one observed call more on one edge.
  CommandResult forged = Shell(
      "awk '!done && !/^#/ && !/^fn / && NF == 4 { $4 = $4 + 1; done = 1 } { print }' a.txt "
      "> forged.txt");
  ASSERT_EQ(forged.exit_code, 0) << forged.err;
  CommandResult mismatch = Run({"retract", "forged.txt"});
  EXPECT_EQ(mismatch.exit_code, 1);
  EXPECT_THAT(mismatch.err, HasSubstr("forged.txt"));
  EXPECT_THAT(mismatch.err, HasSubstr(IdOf("a.txt")));
  EXPECT_THAT(mismatch.err, HasSubstr("not the profile that was merged"));
  EXPECT_EQ(Dump(db()), before);
  EXPECT_EQ(Counts(db()), counts);

  // A profile this store never merged (exported again: a fresh id).
  ASSERT_EQ(Run({"export", "-q", "--db", "a.db", "--format", "json", "-o", "c.json"}).exit_code, 0);
  CommandResult unknown = Run({"retract", "c.json", "a.txt"});
  EXPECT_EQ(unknown.exit_code, 1);  // c.json failed; a.txt was still retracted
  EXPECT_THAT(unknown.err, HasSubstr("c.json"));
  EXPECT_THAT(unknown.err, HasSubstr("never merged"));
  EXPECT_THAT(unknown.out, HasSubstr("retracted a.txt"));
  EXPECT_EQ(Dump(db()), Dump(OnlyB()));
}

// The file may come on stdin, gzip-compressed, in another format than it
// was merged from: the digest is of the contents.
TEST_F(RetractCliTest, RetractReadsStdinGzipAndAnyFormat) {
  ASSERT_EQ(Run({"merge", "a.txt", "b.capnp"}).exit_code, 0);
  CommandResult retracted = Shell("gzip -c a.txt | blobgraph retract -");
  ASSERT_EQ(retracted.exit_code, 0) << retracted.err;
  EXPECT_THAT(retracted.out, HasSubstr("profile " + IdOf("a.txt")));
  EXPECT_EQ(Dump(db()), Dump(OnlyB()));
  CommandResult by_capnp = Shell("gzip -c b.capnp > b.capnp.gz && blobgraph retract b.capnp.gz");
  ASSERT_EQ(by_capnp.exit_code, 0) << by_capnp.err;
  CommandResult stats = Run({"stats", "--json"});
  EXPECT_EQ(StatsField(stats.out, "edges"), 0u);

  // Merged from text, retracted by the same profile written as JSON.
  const std::string x = HexOf(7), y = HexOf(8), id(32, '9');
  WriteFile("p.txt", "# blobgraph-profile version=1 id=" + id + " host=h created_ms=5\n" + x + " " +
                         y + " 2 40\n");
  WriteFile("p.json", R"({"format":"blobgraph-profile","version":1,"id":")" + id +
                          R"(","sourceHost":"h","createdUnixMs":"5","edges":[{"caller":")" + x +
                          R"(","callee":")" + y + R"(","staticCount":"2","dynamicCount":"40"}]})");
  ASSERT_EQ(Run({"merge", "p.txt"}).exit_code, 0);
  CommandResult by_json = Run({"retract", "p.json"});
  EXPECT_EQ(by_json.exit_code, 0) << by_json.err;
  EXPECT_EQ(StatsField(Run({"stats", "--json"}).out, "functions"), 0u);
}

// Ageing between the merge and the retraction: the profile's counts are
// taken back scaled by the ageing since it was merged, rounding down.
TEST_F(RetractCliTest, RetractAfterDecayTakesBackTheAgedShare) {
  const std::string a = HexOf(0xa1), b = HexOf(0xb2), c = HexOf(0xc3);
  auto profile = [&](const std::string& name, const std::string& id, const std::string& edges) {
    WriteFile(name,
              "# blobgraph-profile version=1 id=" + id + " host=farm-1 created_ms=5\n" + edges);
  };
  profile("p.txt", std::string(32, '1'), a + " " + b + " 0 101\n" + a + " " + c + " 0 3\n");
  profile("q.txt", std::string(32, '2'), a + " " + b + " 0 60\n");
  const std::vector<std::string> decay = {"decay", "--factor", "0.5", "--drop-below", "1"};
  ASSERT_EQ(Run({"merge", "p.txt"}).exit_code, 0);
  ASSERT_EQ(Run(decay).exit_code, 0);               // a->b 50, a->c 1
  ASSERT_EQ(Run({"merge", "q.txt"}).exit_code, 0);  // a->b 110
  ASSERT_EQ(Run(decay).exit_code, 0);               // a->b 55, a->c dropped
  CommandResult retracted = Run({"retract", "p.txt"});
  ASSERT_EQ(retracted.exit_code, 0) << retracted.err;
  // p: merged at ageing 1, now 0.25: floor(101 * 0.25) = 25 from a->b.
  EXPECT_THAT(retracted.out, HasSubstr("25 observed calls"));
  std::string dump = Dump(db());
  EXPECT_THAT(dump, HasSubstr(a + " " + b + " 0 30"));
  EXPECT_THAT(dump, Not(HasSubstr(c)));
  // q: merged at 0.5, now 0.25: floor(60 * 0.5) = 30, nothing left.
  ASSERT_EQ(Run({"retract", "q.txt"}).exit_code, 0);
  CommandResult stats = Run({"stats", "--json"});
  EXPECT_EQ(StatsField(stats.out, "edges"), 0u);
  EXPECT_EQ(StatsField(stats.out, "functions"), 0u);
  EXPECT_EQ(Run({"verify"}).exit_code, 0);
}

// Host names come from other machines: a control character or a newline in
// one is printed escaped, never raw. (BEL here: the JSON reader, Cap'n
// Proto's JsonCodec, decodes \u001b wrongly, as 0x11; control characters
// are escaped all the same.)
TEST_F(RetractCliTest, ProfilesEscapesHostNames) {
  const std::string a = HexOf(1), b = HexOf(2);
  WriteFile("evil.json", R"({"format":"blobgraph-profile","version":1,"id":")" +
                             std::string(32, '3') +
                             R"(","sourceHost":"x\u0007[31mred\nfake line","createdUnixMs":"1",)" +
                             R"("edges":[{"caller":")" + a + R"(","callee":")" + b +
                             R"(","staticCount":"0","dynamicCount":"1"}]})");
  CommandResult merged = Run({"merge", "evil.json"});
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  CommandResult table = Run({"profiles"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, Not(HasSubstr("\x07")));
  EXPECT_THAT(table.out, HasSubstr("\\x07[31mred\\x0afake line"));
  CommandResult json = Run({"profiles", "--json"});
  EXPECT_THAT(json.out, Not(HasSubstr("\x07")));
  EXPECT_THAT(json.out, HasSubstr("\\u0007[31mred\\nfake line"));
}

}  // namespace
}  // namespace blobgraph::tools::testing
