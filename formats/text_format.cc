#include "formats/text_format.h"

#include <cerrno>
#include <cstring>

#include "core/hex.h"
#include "core/quote.h"
#include "formats/text_lines.h"
#include "schema/input_file.h"
#include "schema/output_file.h"

namespace blobgraph::formats {
namespace {

using internal::LineReader;

// Decodes 64 hex digits; false if any is not a hex digit.
bool DecodeHex64(const char* text, BlobHash* out) {
  return DecodeHex(text, BlobHash::kSize, out->mutable_data());
}

// The line shapes tools and generators write — "CALLER CALLEE", "CALLER
// CALLEE COUNT" (single spaces, plain hex) and "CALLER" — decoded without
// splitting fields. False for anything else, including every malformed line:
// the general parser below then handles the line and names what is wrong.
bool ParseCommonLine(std::string_view line, TextRecord* record) {
  constexpr size_t kHex = BlobHash::kHexSize;
  if (line.size() == kHex) {
    if (!DecodeHex64(line.data(), &record->caller)) return false;
    record->callee.reset();
    record->count = 0;
    return true;
  }
  if (line.size() < 2 * kHex + 1 || line[kHex] != ' ') return false;
  uint64_t count = 1;
  if (line.size() > 2 * kHex + 1) {
    // " COUNT": 1 to 19 digits (cannot overflow), no leading zero.
    std::string_view digits = line.substr(2 * kHex + 2);
    if (line[2 * kHex + 1] != ' ' || digits.empty() || digits.size() > 19 || digits[0] == '0') {
      return false;
    }
    count = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return false;
      count = count * 10 + static_cast<uint64_t>(c - '0');
    }
  }
  BlobHash callee;
  if (!DecodeHex64(line.data(), &record->caller) || !DecodeHex64(line.data() + kHex + 1, &callee)) {
    return false;
  }
  record->callee = callee;
  record->count = count;
  return true;
}

Status ReadLines(LineReader& reader, const TextVisitor& visit) {
  std::string_view line;
  TextRecord record;
  for (;;) {
    auto more = reader.Next(&line);
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
    if (ParseCommonLine(line, &record)) {
      record.line = reader.line_number();
      BLOBGRAPH_RETURN_IF_ERROR(visit(record));
      continue;
    }
    internal::Fields fields = internal::SplitFields(line);
    if (fields.count == 0) continue;
    if (fields.count > 3) {
      return reader.Error(fields.column[3], "unexpected 4th field " +
                                                QuoteForMessage(fields.text[3]) +
                                                "; expected CALLER [CALLEE [COUNT]]");
    }
    auto caller = BlobHash::Parse(fields.text[0]);
    if (!caller.ok()) return reader.Error(fields.column[0], "caller " + caller.status().message());
    record.caller = *caller;
    record.line = reader.line_number();
    record.callee.reset();
    record.count = 0;
    if (fields.count >= 2) {
      auto callee = BlobHash::Parse(fields.text[1]);
      if (!callee.ok())
        return reader.Error(fields.column[1], "callee " + callee.status().message());
      record.callee = *callee;
      record.count = 1;
    }
    if (fields.count == 3) {
      auto count = internal::ParsePositiveCount(fields.text[2], "count");
      if (!count.ok()) return reader.Error(fields.column[2], count.status().message());
      record.count = *count;
    }
    BLOBGRAPH_RETURN_IF_ERROR(visit(record));
  }
}

}  // namespace

Status ReadTextRecords(const std::string& path, const TextVisitor& visit) {
  auto reader = LineReader::OpenFile(path);
  if (!reader.ok()) return reader.status();
  return ReadLines(**reader, visit);
}

Status ReadTextRecords(schema::InputFile& input, const TextVisitor& visit) {
  return ReadLines(*LineReader::Over(input), visit);
}

Status ParseTextRecords(std::string_view text, std::string_view name, const TextVisitor& visit) {
  auto reader = LineReader::FromText(text, name);
  return ReadLines(*reader, visit);
}

TextWriter::TextWriter(std::unique_ptr<schema::OutputFile> out)
    : path_(out->path()), out_(std::move(out)) {}

TextWriter::~TextWriter() = default;

Result<std::unique_ptr<TextWriter>> TextWriter::Open(const std::string& path) {
  auto out = schema::OutputFile::Open(path);
  if (!out.ok()) return out.status();
  return std::unique_ptr<TextWriter>(new TextWriter(std::move(*out)));
}

Status TextWriter::Put(std::string_view text) {
  if (!out_) return Status::InvalidInput(path_ + ": write after Finish()");
  return out_->Write(text);
}

Status TextWriter::WriteComment(std::string_view text) {
  if (text.find('\n') != std::string_view::npos) {
    return Status::InvalidInput(path_ + ": a comment cannot hold a newline");
  }
  std::string line = "# ";
  line.append(text);
  line += '\n';
  return Put(line);
}

Status TextWriter::WriteDeclaration(const BlobHash& function) {
  char line[BlobHash::kHexSize + 1];
  function.WriteHex(line);
  line[BlobHash::kHexSize] = '\n';
  return Put({line, sizeof(line)});
}

Status TextWriter::WriteEdge(const BlobHash& caller, const BlobHash& callee, uint64_t count) {
  if (count == 0) return Status::InvalidInput(path_ + ": an edge needs a count of at least 1");
  char line[2 * BlobHash::kHexSize + 24];
  caller.WriteHex(line);
  line[BlobHash::kHexSize] = ' ';
  callee.WriteHex(line + BlobHash::kHexSize + 1);
  size_t size = 2 * BlobHash::kHexSize + 1;
  if (count != 1) {
    size += static_cast<size_t>(std::snprintf(line + size, sizeof(line) - size, " %llu",
                                              static_cast<unsigned long long>(count)));
  }
  line[size++] = '\n';
  return Put({line, size});
}

Status TextWriter::Finish() {
  if (!out_) return Status::InvalidInput(path_ + ": Finish() called twice");
  std::unique_ptr<schema::OutputFile> out = std::move(out_);
  return out->Commit();
}

}  // namespace blobgraph::formats
