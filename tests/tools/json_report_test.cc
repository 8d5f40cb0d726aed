// JsonReport, the one writer of the CLI's --json reports: nesting and commas,
// string escaping (every control character, quotes, backslash, UTF-8),
// exact integers and shortest round-trip doubles. Each document is read back
// with the strict reader of json_test_util.h.
#include "tools/json_report.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "tools/json_test_util.h"

namespace blobgraph::tools::testing {
namespace {

std::string Quoted(std::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

std::string DoubleText(double value) {
  std::string out;
  AppendJsonDouble(value, &out);
  return out;
}

TEST(JsonReportTest, NestsObjectsAndArraysWithCommas) {
  JsonReport report;
  report.BeginObject().Field("a", uint64_t{1}).Key("list").BeginArray();
  report.Uint(1).BeginObject().EndObject().BeginArray().EndArray().Null().EndArray();
  report.Field("b", true).Field("c", "x").Field("d", std::optional<std::string>()).EndObject();
  EXPECT_EQ(report.text(), R"({"a":1,"list":[1,{},[],null],"b":true,"c":"x","d":null})");
  JsonValue value = ParseJsonOrFail(report.text());
  EXPECT_EQ(value.Keys(), (std::vector<std::string>{"a", "list", "b", "c", "d"}));
}

TEST(JsonReportTest, EscapesEveryControlCharacter) {
  const char* kShort[] = {"\\b", "\\t", "\\n", nullptr, "\\f", "\\r"};  // 0x08..0x0d
  for (unsigned c = 0; c < 0x20; ++c) {
    std::string expected;
    if (c >= 0x08 && c <= 0x0d && kShort[c - 0x08] != nullptr) {
      expected = kShort[c - 0x08];
    } else {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\u%04x", c);
      expected = hex;
    }
    std::string text(1, static_cast<char>(c));
    EXPECT_EQ(Quoted(text), "\"" + expected + "\"") << c;
    EXPECT_EQ(ParseJsonOrFail(Quoted(text)).AsString(), text) << c;
  }
  // DEL and the C1 controls (U+0080..U+009F) too: a terminal acts on them.
  EXPECT_EQ(Quoted("\x7f"), "\"\\u007f\"");
  EXPECT_EQ(Quoted("\xc2\x80\xc2\x9b\xc2\x9f"), "\"\\u0080\\u009b\\u009f\"");
  EXPECT_EQ(ParseJsonOrFail(Quoted("\xc2\x9b")).AsString(), "\xc2\x9b");
}

TEST(JsonReportTest, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(Quoted("a\"b\\c/"), R"("a\"b\\c/")");
  EXPECT_EQ(ParseJsonOrFail(Quoted("a\"b\\c/")).AsString(), "a\"b\\c/");
}

TEST(JsonReportTest, PassesNonAsciiThroughAndReplacesIllFormedBytes) {
  const std::string utf8 =
      "\xc3\xa9 \xc2\xa0 \xe4\xb8\xad \xef\xbf\xbf \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf";
  EXPECT_EQ(Quoted(utf8), "\"" + utf8 + "\"");
  EXPECT_EQ(ParseJsonOrFail(Quoted(utf8)).AsString(), utf8);
  // A stray continuation byte, a truncated sequence, an overlong '/', a
  // surrogate, past U+10FFFF and an 8-bit CSI: one U+FFFD per byte.
  EXPECT_EQ(Quoted("a\x80"
                   "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(Quoted("\xe4\xb8"), R"("\ufffd\ufffd")");
  EXPECT_EQ(Quoted("\xc0\xaf"), R"("\ufffd\ufffd")");
  EXPECT_EQ(Quoted("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");
  EXPECT_EQ(Quoted("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");
  EXPECT_EQ(Quoted("\x9b[2J"), R"("\ufffd[2J")");
}

TEST(JsonReportTest, IntegersAreExactOverTheirWholeRange) {
  JsonReport report;
  report.BeginArray().Uint(std::numeric_limits<uint64_t>::max()).Uint(0);
  report.Int(std::numeric_limits<int64_t>::min()).Int(-1).EndArray();
  EXPECT_EQ(report.text(), "[18446744073709551615,0,-9223372036854775808,-1]");
  EXPECT_EQ(ParseJsonOrFail(report.text())[0].AsUint(), 18446744073709551615u);
}

TEST(JsonReportTest, DoublesAreShortestAndReadBackExactly) {
  EXPECT_EQ(DoubleText(0.1), "0.1");
  EXPECT_EQ(DoubleText(1e-9), "1e-09");
  EXPECT_EQ(DoubleText(42.0), "42");
  EXPECT_EQ(DoubleText(2.0 / 3), "0.6666666666666666");
  for (double value : {0.1, 1e-9, 2.0 / 3, 0.153, 5e-324, 1.7976931348623157e308, -0.0, 1e21}) {
    std::string text = DoubleText(value);
    JsonValue parsed = ParseJsonOrFail(text);
    EXPECT_EQ(parsed.AsDouble(), value) << text;
    EXPECT_EQ(std::signbit(parsed.AsDouble()), std::signbit(value)) << text;
  }
}

TEST(JsonReportTest, FloatsAreShortestAsFloats) {
  for (float value : {0.3f, 0.9925988f, 1e-9f, 0.153f, 1.0f}) {
    std::string text;
    AppendJsonFloat(value, &text);
    float back = 0;
    std::from_chars(text.data(), text.data() + text.size(), back);
    EXPECT_EQ(back, value) << text;
    // Read as a double (as most readers do) and narrowed: the same float.
    EXPECT_EQ(static_cast<float>(ParseJsonOrFail(text).AsDouble()), value) << text;
  }
  std::string text;
  AppendJsonFloat(0.3f, &text);
  EXPECT_EQ(text, "0.3");
  JsonReport report;
  report.BeginArray().Float(std::nanf("")).Float(-HUGE_VALF).EndArray();
  EXPECT_EQ(report.text(), "[null,null]");
}

TEST(JsonReportTest, NonFiniteDoublesAreNull) {
  JsonReport report;
  report.BeginObject().Field("nan", std::nan("")).Field("inf", HUGE_VAL);
  report.Field("minus_inf", -HUGE_VAL).EndObject();
  EXPECT_EQ(report.text(), R"({"nan":null,"inf":null,"minus_inf":null})");
  EXPECT_TRUE(ParseJsonOrFail(report.text())["nan"].is_null());
}

TEST(JsonReportTest, FieldPicksTheTypeOfItsArgument) {
  JsonReport report;
  uint32_t u32 = 7;
  int i = -3;
  size_t size = 9;
  std::string text = "s";
  report.BeginObject().Field("u32", u32).Field("int", i).Field("size", size);
  report.Field("float", 0.5f).Field("string", text).Field("literal", "l");
  report.Field("false", false).Field("hash", BlobHash()).EndObject();
  EXPECT_EQ(report.text(),
            "{\"u32\":7,\"int\":-3,\"size\":9,\"float\":0.5,\"string\":\"s\","
            "\"literal\":\"l\",\"false\":false,\"hash\":\"" +
                std::string(64, '0') + "\"}");
}

}  // namespace
}  // namespace blobgraph::tools::testing
