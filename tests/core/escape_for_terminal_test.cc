// EscapeForTerminal: what a log line or the CLI prints of untrusted names.
#include <gtest/gtest.h>

#include "core/quote.h"

namespace blobgraph {
namespace {

TEST(EscapeForTerminalTest, PrintableAsciiAndUtf8PassUnchanged) {
  EXPECT_EQ(EscapeForTerminal("ns::f<int>(char const*) [clone .cold]"),
            "ns::f<int>(char const*) [clone .cold]");
  EXPECT_EQ(EscapeForTerminal("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(EscapeForTerminal(""), "");
}

TEST(EscapeForTerminalTest, ControlsThatForgeLinesOrDriveTheTerminalAreEscaped) {
  EXPECT_EQ(EscapeForTerminal("f\nblobgraph serve: push applied"),
            "f\\x0ablobgraph serve: push applied");
  EXPECT_EQ(EscapeForTerminal("a\rb"), "a\\x0db");
  EXPECT_EQ(EscapeForTerminal("\x1b]0;owned\x07\x1b[2J"), "\\x1b]0;owned\\x07\\x1b[2J");
  EXPECT_EQ(EscapeForTerminal("del\x7f"), "del\\x7f");
  EXPECT_EQ(EscapeForTerminal(std::string_view("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(EscapeForTerminal("tab\t"), "tab\\x09");
}

TEST(EscapeForTerminalTest, C1ControlsInBothFormsAreEscaped) {
  EXPECT_EQ(EscapeForTerminal("\xc2\x9b"
                              "31m"),
            "\\xc2\\x9b31m");  // U+009B CSI, UTF-8
  EXPECT_EQ(EscapeForTerminal("\x9b"
                              "31m"),
            "\\x9b31m");                                 // raw 8-bit CSI
  EXPECT_EQ(EscapeForTerminal("\xc2\xa0"), "\xc2\xa0");  // U+00A0 is text
}

TEST(EscapeForTerminalTest, MalformedUtf8IsEscapedBytewise) {
  EXPECT_EQ(EscapeForTerminal("\xc3"), "\\xc3");                    // truncated
  EXPECT_EQ(EscapeForTerminal("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(EscapeForTerminal("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(EscapeForTerminal("\xf5\x80\x80\x80"), "\\xf5\\x80\\x80\\x80");
}

TEST(EscapeForTerminalTest, BackslashIsDoubledSoEscapesReadBackUnambiguously) {
  EXPECT_EQ(EscapeForTerminal("a\\x0ab"), "a\\\\x0ab");
  EXPECT_NE(EscapeForTerminal("a\\x0ab"), EscapeForTerminal("a\nb"));
}

}  // namespace
}  // namespace blobgraph
