#include "schema/json_exact_integers.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "schema/json_string_escapes.h"

namespace blobgraph::schema {
namespace {

constexpr uint64_t kLargestExactDouble = uint64_t{1} << 53;

// Where the scanner is, as a JSON path for messages.
struct Frame {
  bool is_array = false;
  size_t index = 0;           // arrays: the current element
  std::string key;            // objects: the current member's name (escapes decoded)
  bool expecting_key = true;  // objects: the next string is a name
};

std::string PathOf(const std::vector<Frame>& frames) {
  std::string path;
  for (const Frame& frame : frames) {
    if (frame.is_array) {
      path += '[';
      path += std::to_string(frame.index);
      path += ']';
    } else {
      if (!path.empty()) path += ".";
      path += frame.key;
    }
  }
  return path.empty() ? "document" : path;
}

// Where a member name is, for messages: "functions[2]: a member name".
std::string MemberNamePath(const std::vector<Frame>& frames) {
  std::vector<Frame> outer(frames.begin(), frames.end() - 1);
  return (outer.empty() ? std::string("document") : PathOf(outer)) + ": a member name";
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Checks one number token; sets *quote when it must become a string.
Status CheckNumber(std::string_view token, const std::vector<Frame>& frames, bool* quote) {
  *quote = false;
  bool negative = !token.empty() && token[0] == '-';
  std::string_view digits = token.substr(negative ? 1 : 0);
  bool integer = !digits.empty();
  for (char c : digits) integer = integer && IsDigit(c);
  if (!integer) {
    // A fraction or exponent: a double holds it exactly only below 2^53;
    // above, the digits as written may already be lost.
    double magnitude = std::fabs(std::strtod(std::string(token).c_str(), nullptr));
    if (magnitude >= static_cast<double>(kLargestExactDouble)) {
      return Status::InvalidInput(PathOf(frames) + ": number " + std::string(token.substr(0, 40)) +
                                  " is not exact as a double; write 64-bit counts as plain digits");
    }
    return Status::Ok();
  }
  uint64_t value = 0;
  for (char c : digits) {
    unsigned digit = static_cast<unsigned>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) {
      return Status::InvalidInput(PathOf(frames) + ": " + std::string(token.substr(0, 40)) +
                                  (negative ? " is smaller than -9223372036854775808"
                                            : " is larger than 18446744073709551615"));
    }
    value = value * 10 + digit;
  }
  if (negative && value > uint64_t{1} << 63) {
    return Status::InvalidInput(PathOf(frames) + ": " + std::string(token) +
                                " is smaller than -9223372036854775808");
  }
  *quote = value > kLargestExactDouble;
  return Status::Ok();
}

}  // namespace

Status QuoteLargeIntegers(std::string* json) {
  const std::string& in = *json;
  std::vector<Frame> frames;
  // The document's own members: the codec keeps only the last of a repeated
  // one, so a second "runWeight" or "edges" would silently replace the first.
  std::unordered_set<std::string> top_keys;
  std::string out;
  std::string decoded;  // one string literal's body with its \u escapes decoded
  size_t copied = 0;    // in[0, copied) is already in `out`
  bool rewritten = false;
  for (size_t i = 0; i < in.size();) {
    char c = in[i];
    if (c == '"') {
      size_t start = ++i;
      while (i < in.size() && in[i] != '"') i += in[i] == '\\' ? 2 : 1;
      size_t end = std::min(i, in.size());
      std::string_view body = std::string_view(in).substr(start, end - start);
      bool is_key = !frames.empty() && !frames.back().is_array && frames.back().expecting_key;
      // The codec misreads \u escapes with hex letters (json_string_escapes.h):
      // they reach it decoded. An unterminated string is the codec's to report.
      if (i < in.size() && NeedsEscapeRewrite(body)) {
        decoded.clear();
        bool changed = false;
        Status escapes = RewriteStringEscapes(body, start, &decoded, &changed);
        if (!escapes.ok()) {
          return escapes.WithContext(is_key ? MemberNamePath(frames) : PathOf(frames));
        }
        if (changed) {
          out.append(in, copied, start - copied);
          out += decoded;
          copied = end;
          rewritten = true;
          body = decoded;
        }
      }
      if (is_key) {
        frames.back().key.assign(body);
        frames.back().expecting_key = false;
        if (frames.size() == 1 && !top_keys.insert(frames.back().key).second) {
          return Status::InvalidInput(std::string(frames.back().key.substr(0, 40)) +
                                      ": given twice in the document");
        }
      }
      ++i;
      continue;
    }
    if (c == '-' || IsDigit(c)) {
      size_t start = i;
      while (i < in.size() && (IsDigit(in[i]) || in[i] == '-' || in[i] == '+' || in[i] == '.' ||
                               in[i] == 'e' || in[i] == 'E')) {
        ++i;
      }
      bool quote = false;
      BLOBGRAPH_RETURN_IF_ERROR(
          CheckNumber(std::string_view(in).substr(start, i - start), frames, &quote));
      if (quote) {
        out.append(in, copied, start - copied);
        out += '"';
        out.append(in, start, i - start);
        out += '"';
        copied = i;
        rewritten = true;
      }
      continue;
    }
    switch (c) {
      case '{':
        frames.push_back(Frame{});
        break;
      case '[': {
        Frame array;
        array.is_array = true;
        frames.push_back(array);
        break;
      }
      case '}':
      case ']':
        if (!frames.empty()) frames.pop_back();
        break;
      case ',':
        if (!frames.empty()) {
          if (frames.back().is_array) {
            ++frames.back().index;
          } else {
            frames.back().expecting_key = true;
          }
        }
        break;
      default:
        break;
    }
    ++i;
  }
  if (rewritten) {
    out.append(in, copied, std::string::npos);
    *json = std::move(out);
  }
  return Status::Ok();
}

}  // namespace blobgraph::schema
