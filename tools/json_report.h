// JsonReport: the one writer of the CLI's --json reports, the machine-readable
// output of every inspecting command (README, "JSON reports"). One dialect:
//   - compact, one document per command, ending in a newline;
//   - snake_case keys, in the order the command writes them;
//   - integers as exact JSON numbers (all of 0..2^64-1 and int64_t);
//   - doubles as the shortest text that reads back to the same double
//     (std::to_chars), floats (the engine's path probabilities) as the
//     shortest that reads back to the same float; NaN and infinities as null;
//   - strings as UTF-8: '"' and '\' escaped, every control character (C0,
//     DEL, C1) as \b \f \n \r \t or \u00XX, well-formed UTF-8 passed through,
//     and each byte of an ill-formed sequence as \ufffd (U+FFFD), so the
//     document is valid UTF-8 whatever bytes a name from another machine holds.
// Profile files (`export --format json`) are another dialect, Cap'n Proto's
// JSON codec (camelCase, counts as strings): see schema/profile_json.h.
//
// The document is built in memory and written by Print(). Nesting mistakes
// (a value where a key is due, an unbalanced End) are our own bugs: assert.
// One object per document; not thread-safe.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blobgraph/blob_hash.h"

namespace blobgraph::tools {

class JsonReport {
 public:
  JsonReport& BeginObject();
  JsonReport& EndObject();
  JsonReport& BeginArray();
  JsonReport& EndArray();
  // The next member's key. REQUIRES: inside an object, no key pending.
  JsonReport& Key(std::string_view key);

  // Values: an array element, a member's value (after Key) or the document.
  JsonReport& String(std::string_view text);
  JsonReport& Uint(uint64_t value);
  JsonReport& Int(int64_t value);
  JsonReport& Double(double value);
  JsonReport& Float(float value);
  JsonReport& Bool(bool value);
  JsonReport& Null();
  JsonReport& Hash(const BlobHash& hash);  // 64 lower-case hex digits, a string

  // Key(key) then the value, typed by the argument: unsigned -> Uint, signed
  // -> Int, float -> Float, double -> Double, text -> String, an empty
  // optional -> null.
  JsonReport& Field(std::string_view key, std::string_view text) { return Key(key).String(text); }
  JsonReport& Field(std::string_view key, const char* text) { return Key(key).String(text); }
  JsonReport& Field(std::string_view key, const std::string& text) { return Key(key).String(text); }
  JsonReport& Field(std::string_view key, bool value) { return Key(key).Bool(value); }
  JsonReport& Field(std::string_view key, const BlobHash& hash) { return Key(key).Hash(hash); }
  JsonReport& Field(std::string_view key, const std::optional<std::string>& text);
  template <std::unsigned_integral T>
  requires(!std::same_as<T, bool>) JsonReport& Field(std::string_view key, T value) {
    return Key(key).Uint(value);
  }
  template <std::signed_integral T>
  JsonReport& Field(std::string_view key, T value) {
    return Key(key).Int(value);
  }
  JsonReport& Field(std::string_view key, double value) { return Key(key).Double(value); }
  JsonReport& Field(std::string_view key, float value) { return Key(key).Float(value); }

  // The document so far. Complete once every Begin has had its End.
  const std::string& text() const { return out_; }
  // Writes the complete document and a newline to stdout (a write error is
  // seen by the command's exit, tools/command.cc). REQUIRES: complete.
  void Print() const;

 private:
  // Before a value: the comma between elements, and the nesting checks.
  void BeforeValue();

  std::string out_;
  // One entry per open object or array: true once it holds an element.
  std::vector<bool> has_element_;
  std::vector<bool> is_object_;
  bool key_pending_ = false;
};

// Appends `text` to `out` as a JSON string literal, quotes included, escaped
// as above.
void AppendJsonString(std::string_view text, std::string* out);

// Appends the shortest decimal text that reads back to `value` exactly
// ("0.1", "1e-09", "42"); "null" for NaN and the infinities.
void AppendJsonDouble(double value, std::string* out);
// The same for a float: the shortest text that reads back to `value` as a
// float ("0.3" for 0.3f, not 0.30000001192092896).
void AppendJsonFloat(float value, std::string* out);

}  // namespace blobgraph::tools
