// Internal to formats/: the line reader and field splitter shared by the text
// record format and the text profile format.
//
// LineReader hands out one line at a time from an InputFile (a path, stdin,
// gzip; read in 256 KiB blocks) or from text in memory; a returned view points into the reader's
// buffer and stays valid until the next call. Lines longer than kMaxTextLineBytes are refused, so a
// file without newlines cannot make the buffer grow. One thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "blobgraph/status.h"
#include "schema/input_file.h"

namespace blobgraph::formats::internal {

class LineReader {
 public:
  // Errors: kIOError naming the path.
  static Result<std::unique_ptr<LineReader>> OpenFile(const std::string& path);
  // Reads `input` from its current position. REQUIRES: `input` outlives the reader.
  static std::unique_ptr<LineReader> Over(schema::InputFile& input);
  static std::unique_ptr<LineReader> FromText(std::string_view text, std::string_view name);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Sets *line (without '\n' or a trailing '\r') and returns true, or returns
  // false at end of input. Errors: kIOError, kInvalidInput (line too long).
  Result<bool> Next(std::string_view* line);
  uint64_t line_number() const { return line_number_; }
  const std::string& name() const { return name_; }

  // "<name>: line N: <what>" for the current line.
  Status Error(const std::string& what) const;
  // "<name>: line N: column C: <what>", C 1-based.
  Status Error(size_t column, const std::string& what) const;

 private:
  LineReader(std::string name, schema::InputFile* input);
  Status Fill();

  std::string name_;
  std::unique_ptr<schema::InputFile> owned_;  // set by OpenFile
  schema::InputFile* input_;                  // null: text in memory
  bool eof_ = false;
  std::string buffer_;
  size_t begin_ = 0;  // start of unread data in buffer_
  uint64_t line_number_ = 0;
};

// The whitespace-separated fields of a line, with any '#' comment removed.
struct Fields {
  static constexpr size_t kMax = 8;
  std::array<std::string_view, kMax> text;
  std::array<size_t, kMax> column{};  // 1-based column of each field
  size_t count = 0;
  bool too_many = false;    // more than kMax fields; the first kMax are kept
  size_t extra_column = 0;  // column of field kMax + 1 when too_many
};
Fields SplitFields(std::string_view line);

// A positive decimal integer (no sign, no leading '+'), else a message naming
// what is wrong ("count '0' must be a positive integer").
Result<uint64_t> ParsePositiveCount(std::string_view text, const char* what);
// A non-negative decimal integer.
Result<uint64_t> ParseUnsigned(std::string_view text, const char* what);

}  // namespace blobgraph::formats::internal
