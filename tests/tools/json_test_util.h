// A strict JSON reader for tests of the CLI's --json reports (RFC 8259: no
// trailing commas, no raw control characters in strings, valid escapes, one
// document and nothing after it but whitespace). Numbers keep their text, so
// a test reads a count as an exact uint64_t and a probability as the exact
// double the text denotes. Strings are decoded (\uXXXX and surrogate pairs
// to UTF-8).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace blobgraph::tools::testing {

class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  // Each accessor ADD_FAILUREs (and returns a zero value) on the wrong type.
  bool AsBool() const;
  uint64_t AsUint() const;  // a number written as a whole number in range
  double AsDouble() const;  // the double nearest the number's text
  const std::string& AsString() const;
  const std::string& number_text() const { return text_; }

  size_t size() const;  // elements of an array, members of an object
  const JsonValue& operator[](size_t index) const;
  // The member `key`; a failure (and null) if absent.
  const JsonValue& operator[](const std::string& key) const;
  bool Has(const std::string& key) const;
  // Member keys in document order.
  std::vector<std::string> Keys() const;

 private:
  friend class JsonParser;
  Type type_ = Type::kNull;
  bool bool_ = false;
  std::string text_;  // a number's text or a string's decoded bytes
  std::vector<JsonValue> elements_;
  std::vector<std::pair<std::string, JsonValue>> members_;
};

// The document in `text`, or std::nullopt with `*error` saying where it is
// not JSON.
std::optional<JsonValue> ParseJson(std::string_view text, std::string* error);

// ParseJson that ADD_FAILUREs with the error and the text when it fails.
JsonValue ParseJsonOrFail(std::string_view text);

}  // namespace blobgraph::tools::testing
