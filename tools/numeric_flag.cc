#include "tools/numeric_flag.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace blobgraph::tools {
namespace {

std::string FormatReal(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", value);
  return buffer;
}

Status Refuse(std::string_view flag, std::string_view text, const char* reason,
              const std::string& allowed) {
  std::string shown(text.empty() ? "''" : text);
  return Status::InvalidInput(std::string(flag) + " " + shown + ": " + reason + "; expected " +
                              allowed);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string DescribeRange(const WholeRange& range) {
  return "a whole number from " + std::to_string(range.min) + " to " + std::to_string(range.max);
}

std::string DescribeRange(const RealRange& range) {
  std::string low =
      range.min_open ? "above " + FormatReal(range.min) : "from " + FormatReal(range.min);
  if (range.max == std::numeric_limits<double>::max()) {
    return range.min_open ? "a finite number above " + FormatReal(range.min)
                          : "a finite number >= " + FormatReal(range.min);
  }
  return "a number " + low + (range.min_open ? " and at most " : " to ") + FormatReal(range.max);
}

Result<uint64_t> ParseWholeFlag(std::string_view flag, std::string_view text,
                                const WholeRange& range) {
  std::string allowed = DescribeRange(range);
  if (text.empty()) return Refuse(flag, text, "empty", allowed);
  if (text.front() == '-') return Refuse(flag, text, "negative", allowed);
  uint64_t value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return Refuse(flag, text, "not a whole number", allowed);
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      return Refuse(flag, text, "too large", allowed);
    }
    value = value * 10 + digit;
  }
  if (value < range.min) return Refuse(flag, text, "too small", allowed);
  if (value > range.max) return Refuse(flag, text, "too large", allowed);
  return value;
}

Result<double> ParseRealFlag(std::string_view flag, std::string_view text, const RealRange& range) {
  std::string allowed = DescribeRange(range);
  std::string copy(text);  // strtod needs a terminator
  if (copy.empty() || std::isspace(static_cast<unsigned char>(copy.front()))) {
    return Refuse(flag, text, "not a number", allowed);
  }
  errno = 0;
  char* end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return Refuse(flag, text, "not a number", allowed);
  if (std::isnan(value)) return Refuse(flag, text, "not a number", allowed);
  // strtod reads "inf" and returns HUGE_VAL with ERANGE for 1e400.
  if (std::isinf(value) || (errno == ERANGE && std::fabs(value) > 1.0)) {
    return Refuse(flag, text, "not finite", allowed);
  }
  if (value < 0 && range.min >= 0) return Refuse(flag, text, "negative", allowed);
  if (value < range.min || (range.min_open && value == range.min)) {
    return Refuse(flag, text, "too small", allowed);
  }
  if (value > range.max) return Refuse(flag, text, "too large", allowed);
  return value;
}

}  // namespace blobgraph::tools
