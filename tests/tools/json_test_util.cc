#include "tools/json_test_util.h"

#include <gtest/gtest.h>

#include <charconv>
#include <system_error>

namespace blobgraph::tools::testing {

class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : text_(text) {}

  std::optional<JsonValue> Document(std::string* error) {
    JsonValue value;
    if (!Value(&value, 0)) {
      *error = "offset " + std::to_string(pos_) + ": " + error_;
      return std::nullopt;
    }
    SkipSpace();
    if (pos_ != text_.size()) {
      *error = "offset " + std::to_string(pos_) + ": text after the document";
      return std::nullopt;
    }
    return value;
  }

 private:
  bool Fail(const std::string& message) {
    error_ = message;
    return false;
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return Fail("expected " + std::string(word));
    pos_ += word.size();
    return true;
  }

  bool Value(JsonValue* value, int depth) {
    if (depth > 64) return Fail("nested too deep");
    SkipSpace();
    if (pos_ >= text_.size()) return Fail("unexpected end");
    char c = text_[pos_];
    if (c == '{') return Object(value, depth);
    if (c == '[') return Array(value, depth);
    if (c == '"') {
      value->type_ = JsonValue::Type::kString;
      return String(&value->text_);
    }
    if (c == 't' || c == 'f') {
      value->type_ = JsonValue::Type::kBool;
      value->bool_ = c == 't';
      return Literal(c == 't' ? "true" : "false");
    }
    if (c == 'n') {
      value->type_ = JsonValue::Type::kNull;
      return Literal("null");
    }
    value->type_ = JsonValue::Type::kNumber;
    return Number(&value->text_);
  }

  bool Object(JsonValue* value, int depth) {
    value->type_ = JsonValue::Type::kObject;
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') return ++pos_, true;
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Fail("expected a key");
      std::string key;
      if (!String(&key)) return false;
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') return Fail("expected ':'");
      ++pos_;
      JsonValue member;
      if (!Value(&member, depth + 1)) return false;
      value->members_.emplace_back(std::move(key), std::move(member));
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') return ++pos_, true;
      return Fail("expected ',' or '}'");
    }
  }

  bool Array(JsonValue* value, int depth) {
    value->type_ = JsonValue::Type::kArray;
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') return ++pos_, true;
    while (true) {
      JsonValue element;
      if (!Value(&element, depth + 1)) return false;
      value->elements_.push_back(std::move(element));
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') return ++pos_, true;
      return Fail("expected ',' or ']'");
    }
  }

  bool Digits() {
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool Number(std::string* out) {
    size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '0') {
      ++pos_;
    } else if (!Digits()) {
      return Fail("expected a value");
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!Digits()) return Fail("expected digits after '.'");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!Digits()) return Fail("expected exponent digits");
    }
    *out = std::string(text_.substr(start, pos_ - start));
    return true;
  }

  bool Hex4(uint32_t* unit) {
    if (pos_ + 4 > text_.size()) return Fail("short \\u escape");
    *unit = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      int digit = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                         : -1;
      if (digit < 0) return Fail("bad hex digit in \\u escape");
      *unit = *unit * 16 + digit;
    }
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xc0 | cp >> 6);
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xe0 | cp >> 12);
      *out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      *out += static_cast<char>(0xf0 | cp >> 18);
      *out += static_cast<char>(0x80 | (cp >> 12 & 0x3f));
      *out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  bool String(std::string* out) {
    ++pos_;  // the opening quote
    while (true) {
      if (pos_ >= text_.size()) return Fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(text_[pos_++]);
      if (c == '"') return true;
      if (c < 0x20) return Fail("raw control character in a string");
      if (c != '\\') {
        *out += static_cast<char>(c);
        continue;
      }
      if (pos_ >= text_.size()) return Fail("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
        case '"':
          *out += '"';
          break;
        case '\\':
          *out += '\\';
          break;
        case '/':
          *out += '/';
          break;
        case 'b':
          *out += '\b';
          break;
        case 'f':
          *out += '\f';
          break;
        case 'n':
          *out += '\n';
          break;
        case 'r':
          *out += '\r';
          break;
        case 't':
          *out += '\t';
          break;
        case 'u': {
          uint32_t unit;
          if (!Hex4(&unit)) return false;
          if (unit >= 0xdc00 && unit <= 0xdfff) return Fail("lone low surrogate");
          if (unit >= 0xd800 && unit <= 0xdbff) {
            uint32_t low;
            if (text_.substr(pos_, 2) != "\\u") return Fail("lone high surrogate");
            pos_ += 2;
            if (!Hex4(&low)) return false;
            if (low < 0xdc00 || low > 0xdfff) return Fail("lone high surrogate");
            unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
          }
          AppendUtf8(unit, out);
          break;
        }
        default:
          return Fail(std::string("unknown escape \\") + e);
      }
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

namespace {

const JsonValue& NullValue() {
  static const JsonValue kNull;
  return kNull;
}

}  // namespace

bool JsonValue::AsBool() const {
  EXPECT_EQ(type_, Type::kBool);
  return bool_;
}

uint64_t JsonValue::AsUint() const {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text_.data(), text_.data() + text_.size(), value);
  EXPECT_TRUE(type_ == Type::kNumber && error == std::errc() && end == text_.data() + text_.size())
      << "not a whole number in range: '" << text_ << "'";
  return value;
}

double JsonValue::AsDouble() const {
  double value = 0;
  auto [end, error] = std::from_chars(text_.data(), text_.data() + text_.size(), value);
  EXPECT_TRUE(type_ == Type::kNumber && error == std::errc() && end == text_.data() + text_.size())
      << "not a number: '" << text_ << "'";
  return value;
}

const std::string& JsonValue::AsString() const {
  EXPECT_EQ(type_, Type::kString);
  return text_;
}

size_t JsonValue::size() const {
  EXPECT_TRUE(type_ == Type::kArray || type_ == Type::kObject);
  return type_ == Type::kArray ? elements_.size() : members_.size();
}

const JsonValue& JsonValue::operator[](size_t index) const {
  if (type_ != Type::kArray || index >= elements_.size()) {
    ADD_FAILURE() << "no element " << index;
    return NullValue();
  }
  return elements_[index];
}

const JsonValue& JsonValue::operator[](const std::string& key) const {
  for (const auto& [name, value] : members_) {
    if (name == key) return value;
  }
  ADD_FAILURE() << "no member \"" << key << "\"";
  return NullValue();
}

bool JsonValue::Has(const std::string& key) const {
  for (const auto& member : members_) {
    if (member.first == key) return true;
  }
  return false;
}

std::vector<std::string> JsonValue::Keys() const {
  std::vector<std::string> keys;
  for (const auto& member : members_) keys.push_back(member.first);
  return keys;
}

std::optional<JsonValue> ParseJson(std::string_view text, std::string* error) {
  return JsonParser(text).Document(error);
}

JsonValue ParseJsonOrFail(std::string_view text) {
  std::string error;
  std::optional<JsonValue> value = ParseJson(text, &error);
  if (!value) {
    ADD_FAILURE() << "not JSON: " << error << "\n" << text;
    return JsonValue();
  }
  return *value;
}

}  // namespace blobgraph::tools::testing
