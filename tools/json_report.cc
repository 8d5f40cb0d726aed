#include "tools/json_report.h"

#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

namespace blobgraph::tools {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void AppendUnicodeEscape(uint32_t unit, std::string* out) {
  *out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) *out += kHexDigits[(unit >> shift) & 15];
}

// The length of the well-formed UTF-8 sequence at the start of `text` (the
// Unicode standard's table 3-7: no overlong forms, no surrogates, nothing
// past U+10FFFF) and its code point; 0 if it is ill-formed.
size_t Utf8Sequence(std::string_view text, uint32_t* code_point) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  size_t length;
  unsigned char low = 0x80, high = 0xbf;  // the allowed range of the second byte
  if (lead < 0x80) {
    *code_point = lead;
    return 1;
  } else if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  uint32_t value = lead & (0x7f >> length);
  for (size_t i = 1; i < length; ++i) {
    unsigned char next = byte(i);
    if (next < (i == 1 ? low : 0x80) || next > (i == 1 ? high : 0xbf)) return 0;
    value = (value << 6) | (next & 0x3f);
  }
  *code_point = value;
  return length;
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  *out += '"';
  for (size_t i = 0; i < text.size();) {
    uint32_t code_point = 0;
    size_t length = Utf8Sequence(text.substr(i), &code_point);
    if (length == 0) {
      *out += "\\ufffd";
      ++i;
      continue;
    }
    switch (code_point) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        // C0, DEL and C1 controls: a terminal showing the report acts on none.
        if (code_point < 0x20 || (code_point >= 0x7f && code_point <= 0x9f)) {
          AppendUnicodeEscape(code_point, out);
        } else {
          out->append(text.substr(i, length));
        }
    }
    i += length;
  }
  *out += '"';
}

namespace {

template <typename T>
void AppendShortest(T value, std::string* out) {
  if (!std::isfinite(value)) {
    *out += "null";
    return;
  }
  char buffer[32];  // the longest shortest form of a double is 24 characters
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  assert(error == std::errc());
  out->append(buffer, end);
}

}  // namespace

void AppendJsonDouble(double value, std::string* out) { AppendShortest(value, out); }

void AppendJsonFloat(float value, std::string* out) { AppendShortest(value, out); }

void JsonReport::BeforeValue() {
  if (has_element_.empty()) {
    assert(out_.empty() && "one value per document");
    return;
  }
  if (is_object_.back()) {
    assert(key_pending_ && "a member's value needs its Key first");
    key_pending_ = false;
    return;
  }
  if (has_element_.back()) out_ += ',';
  has_element_.back() = true;
}

JsonReport& JsonReport::BeginObject() {
  BeforeValue();
  out_ += '{';
  has_element_.push_back(false);
  is_object_.push_back(true);
  return *this;
}

JsonReport& JsonReport::EndObject() {
  assert(!is_object_.empty() && is_object_.back() && !key_pending_);
  out_ += '}';
  has_element_.pop_back();
  is_object_.pop_back();
  return *this;
}

JsonReport& JsonReport::BeginArray() {
  BeforeValue();
  out_ += '[';
  has_element_.push_back(false);
  is_object_.push_back(false);
  return *this;
}

JsonReport& JsonReport::EndArray() {
  assert(!is_object_.empty() && !is_object_.back());
  out_ += ']';
  has_element_.pop_back();
  is_object_.pop_back();
  return *this;
}

JsonReport& JsonReport::Key(std::string_view key) {
  assert(!is_object_.empty() && is_object_.back() && !key_pending_);
  if (has_element_.back()) out_ += ',';
  has_element_.back() = true;
  AppendJsonString(key, &out_);
  out_ += ':';
  key_pending_ = true;
  return *this;
}

JsonReport& JsonReport::String(std::string_view text) {
  BeforeValue();
  AppendJsonString(text, &out_);
  return *this;
}

JsonReport& JsonReport::Uint(uint64_t value) {
  BeforeValue();
  out_ += std::to_string(value);
  return *this;
}

JsonReport& JsonReport::Int(int64_t value) {
  BeforeValue();
  out_ += std::to_string(value);
  return *this;
}

JsonReport& JsonReport::Double(double value) {
  BeforeValue();
  AppendJsonDouble(value, &out_);
  return *this;
}

JsonReport& JsonReport::Float(float value) {
  BeforeValue();
  AppendJsonFloat(value, &out_);
  return *this;
}

JsonReport& JsonReport::Bool(bool value) {
  BeforeValue();
  out_ += value ? "true" : "false";
  return *this;
}

JsonReport& JsonReport::Null() {
  BeforeValue();
  out_ += "null";
  return *this;
}

JsonReport& JsonReport::Hash(const BlobHash& hash) {
  BeforeValue();
  char hex[BlobHash::kHexSize];
  hash.WriteHex(hex);
  out_ += '"';
  out_.append(hex, sizeof(hex));
  out_ += '"';
  return *this;
}

JsonReport& JsonReport::Field(std::string_view key, const std::optional<std::string>& text) {
  Key(key);
  return text ? String(*text) : Null();
}

void JsonReport::Print() const {
  assert(has_element_.empty() && !out_.empty() && "an incomplete document");
  std::fwrite(out_.data(), 1, out_.size(), stdout);
  std::fputc('\n', stdout);
}

}  // namespace blobgraph::tools
