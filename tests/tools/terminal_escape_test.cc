// Names and hosts come from profiles anyone may push: the CLI's human
// output escapes what a terminal would act on (EscapeForTerminal), so a
// name cannot forge output lines or send escape sequences to the terminal.
// The machine formats (export, --json) keep the names exact.
#include <cstring>
#include <string>

#include "blobgraph/profile_io.h"

#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// ESC ] 0 ; owned BEL (sets the terminal title), a newline that forges a
// line, a C1 CSI (U+009B in UTF-8), DEL, and a raw 8-bit CSI byte.
constexpr char kRawName[] =
    "f\x1b]0;owned\x07\nforged line\xc2\x9b"
    "2J\x7f\x9b";
constexpr char kEscapedName[] = "f\\x1b]0;owned\\x07\\x0aforged line\\xc2\\x9b2J\\x7f\\x9b";

BlobHash HashOf(uint8_t byte) {
  uint8_t bytes[BlobHash::kSize];
  std::memset(bytes, byte, sizeof(bytes));
  return BlobHash::FromBytes(bytes);
}

class TerminalEscapeTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    // A binary (Cap'n Proto) profile, as a hostile machine would push it.
    std::string path = dir() + "/hostile.bgp";
    auto writer = formats::OpenProfileWriter(path, formats::ProfileFormat::kCapnp);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    ProfileInfo info;
    info.id[0] = 0x5a;
    info.source_host = "host\x1b[2J\nforged";
    info.created_unix_ms = 1700000000000;
    ASSERT_TRUE((*writer)->Begin(info).ok());
    ASSERT_TRUE((*writer)->AddEdge({HashOf(0x11), HashOf(0x22), 1, 5}).ok());
    ASSERT_TRUE((*writer)->AddFunction(HashOf(0x11), std::string(kRawName)).ok());
    ASSERT_TRUE((*writer)->AddFunction(HashOf(0x22), std::string(kRawName)).ok());
    ASSERT_TRUE((*writer)->Finish().ok());
    merged_ = Run({"merge", path});
  }

  static void ExpectNoControlBytes(const std::string& out) {
    for (char c : out) {
      unsigned char byte = static_cast<unsigned char>(c);
      ASSERT_TRUE(c == '\n' || (byte >= 0x20 && byte != 0x7f && byte < 0x80))
          << "byte " << int(byte) << " in: " << out;
    }
  }

  CommandResult merged_;
};

TEST_F(TerminalEscapeTest, MergeMessageEscapesTheSourceHost) {
  ASSERT_EQ(merged_.exit_code, 0) << merged_.err;
  EXPECT_THAT(merged_.out, HasSubstr("from host\\x1b[2J\\x0aforged, 1 edges"));
  ExpectNoControlBytes(merged_.out);
}

TEST_F(TerminalEscapeTest, CalleesShowStatsAndPrefetchEscapeNames) {
  ASSERT_EQ(merged_.exit_code, 0) << merged_.err;
  for (const std::vector<std::string>& command : {std::vector<std::string>{"callees", HexOf(0x11)},
                                                  {"show", HexOf(0x11)},
                                                  {"show", HexOf(0x11), "--dot"},
                                                  {"stats", "--top", "5"},
                                                  {"prefetch", HexOf(0x11)}}) {
    SCOPED_TRACE(command[0] + " " + command.back());
    CommandResult result = Run(command);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_THAT(result.out, HasSubstr(kEscapedName));
    EXPECT_THAT(result.out, Not(HasSubstr("\nforged line")));
    ExpectNoControlBytes(result.out);
  }
}

TEST_F(TerminalEscapeTest, MachineFormatsKeepTheExactName) {
  ASSERT_EQ(merged_.exit_code, 0) << merged_.err;
  CommandResult exported = Run({"export", "--all", "--format", "capnp", "-o", dir() + "/copy.bgp"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto copy = formats::ReadProfile(dir() + "/copy.bgp");
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  ASSERT_EQ(copy->names.size(), 2u);
  for (const auto& [hash, name] : copy->names) EXPECT_EQ(name, kRawName);
  CommandResult json = Run({"callees", HexOf(0x11), "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, Not(HasSubstr("\\\\x1b")));  // JSON's own escapes, not ours
  EXPECT_THAT(json.out, Not(HasSubstr("\x1b")));     // and no raw ESC
}

}  // namespace
}  // namespace blobgraph::tools::testing
