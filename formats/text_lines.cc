#include "formats/text_lines.h"

#include "core/quote.h"

#include "formats/text_format.h"

namespace blobgraph::formats::internal {
namespace {

constexpr size_t kBlockBytes = 256 << 10;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

}  // namespace

LineReader::LineReader(std::string name, schema::InputFile* input)
    : name_(std::move(name)), input_(input) {}

LineReader::~LineReader() = default;

Result<std::unique_ptr<LineReader>> LineReader::OpenFile(const std::string& path) {
  auto input = schema::InputFile::Open(path);
  if (!input.ok()) return input.status();
  std::unique_ptr<LineReader> reader(new LineReader((*input)->name(), input->get()));
  reader->owned_ = std::move(*input);
  return reader;
}

std::unique_ptr<LineReader> LineReader::Over(schema::InputFile& input) {
  return std::unique_ptr<LineReader>(new LineReader(input.name(), &input));
}

std::unique_ptr<LineReader> LineReader::FromText(std::string_view text, std::string_view name) {
  std::unique_ptr<LineReader> reader(new LineReader(std::string(name), nullptr));
  reader->buffer_.assign(text);
  reader->eof_ = true;
  return reader;
}

Status LineReader::Fill() {
  buffer_.erase(0, begin_);
  begin_ = 0;
  size_t old_size = buffer_.size();
  buffer_.resize(old_size + kBlockBytes);
  auto got = input_->Read(buffer_.data() + old_size, kBlockBytes);
  buffer_.resize(old_size + (got.ok() ? *got : 0));
  // The error names the input and the offset (gzip: in the decompressed text).
  if (!got.ok()) return got.status();
  if (*got == 0) eof_ = true;
  return Status::Ok();
}

Result<bool> LineReader::Next(std::string_view* line) {
  size_t searched = 0;
  for (;;) {
    size_t newline = buffer_.find('\n', begin_ + searched);
    size_t end = newline == std::string::npos ? buffer_.size() : newline;
    if (end - begin_ > kMaxTextLineBytes) {
      ++line_number_;
      return Error("line longer than " + std::to_string(kMaxTextLineBytes) + " bytes");
    }
    if (newline != std::string::npos || (eof_ && begin_ < buffer_.size())) {
      ++line_number_;
      std::string_view view(buffer_.data() + begin_, end - begin_);
      if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
      begin_ = newline == std::string::npos ? buffer_.size() : newline + 1;
      *line = view;
      return true;
    }
    if (eof_) return false;
    searched = buffer_.size() - begin_;
    BLOBGRAPH_RETURN_IF_ERROR(Fill());
  }
}

Status LineReader::Error(const std::string& what) const {
  return Status::InvalidInput(name_ + ": line " + std::to_string(line_number_) + ": " + what);
}

Status LineReader::Error(size_t column, const std::string& what) const {
  return Status::InvalidInput(name_ + ": line " + std::to_string(line_number_) + ": column " +
                              std::to_string(column) + ": " + what);
}

Fields SplitFields(std::string_view line) {
  Fields fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i == line.size() || line[i] == '#') break;
    size_t start = i;
    while (i < line.size() && !IsSpace(line[i]) && line[i] != '#') ++i;
    if (fields.count == Fields::kMax) {
      fields.too_many = true;
      fields.extra_column = start + 1;
      break;
    }
    fields.text[fields.count] = line.substr(start, i - start);
    fields.column[fields.count] = start + 1;
    ++fields.count;
  }
  return fields;
}

Result<uint64_t> ParseUnsigned(std::string_view text, const char* what) {
  if (text.empty()) return Status::InvalidInput(std::string(what) + " is empty");
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return Status::InvalidInput(std::string(what) + " " + QuoteForMessage(text) +
                                  " is not a decimal integer");
    }
    unsigned digit = static_cast<unsigned>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) {
      return Status::InvalidInput(std::string(what) + " " + QuoteForMessage(text) +
                                  " is larger than 18446744073709551615");
    }
    value = value * 10 + digit;
  }
  return value;
}

Result<uint64_t> ParsePositiveCount(std::string_view text, const char* what) {
  auto value = ParseUnsigned(text, what);
  if (!value.ok()) {
    if (!text.empty() && text[0] == '-') {
      return Status::InvalidInput(std::string(what) + " " + QuoteForMessage(text) +
                                  " must be a positive integer");
    }
    return value.status();
  }
  if (*value == 0) {
    return Status::InvalidInput(std::string(what) + " " + QuoteForMessage(text) +
                                " must be a positive integer");
  }
  return value;
}

}  // namespace blobgraph::formats::internal
