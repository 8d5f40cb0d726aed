#include "formats/text_format.h"

#include <cerrno>
#include <cstring>

#include "formats/text_lines.h"

namespace blobgraph::formats {
namespace {

using internal::LineReader;

Status ReadLines(LineReader& reader, const TextVisitor& visit) {
  std::string_view line;
  TextRecord record;
  for (;;) {
    auto more = reader.Next(&line);
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
    internal::Fields fields = internal::SplitFields(line);
    if (fields.count == 0) continue;
    if (fields.count > 3) {
      return reader.Error(fields.column[3], "unexpected 4th field " +
                                                internal::QuoteText(fields.text[3]) +
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
      if (!callee.ok()) return reader.Error(fields.column[1], "callee " + callee.status().message());
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

Status ParseTextRecords(std::string_view text, std::string_view name, const TextVisitor& visit) {
  auto reader = LineReader::FromText(text, name);
  return ReadLines(*reader, visit);
}

TextWriter::TextWriter(std::string path, std::FILE* file, bool owns_file)
    : path_(std::move(path)), file_(file), owns_file_(owns_file) {}

TextWriter::~TextWriter() {
  if (owns_file_ && file_) std::fclose(file_);
}

Result<std::unique_ptr<TextWriter>> TextWriter::Open(const std::string& path) {
  if (path == "-") return std::unique_ptr<TextWriter>(new TextWriter(path, stdout, false));
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) return Status::IOError(path + ": cannot create: " + std::strerror(errno));
  return std::unique_ptr<TextWriter>(new TextWriter(path, file, true));
}

Status TextWriter::Put(std::string_view text) {
  if (!file_) return Status::InvalidInput(path_ + ": write after Finish()");
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) {
    failed_ = true;
    return Status::IOError(path_ + ": write failed: " + std::strerror(errno));
  }
  return Status::Ok();
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
  if (!file_) return Status::InvalidInput(path_ + ": Finish() called twice");
  std::FILE* file = file_;
  file_ = nullptr;
  bool ok = std::fflush(file) == 0 && !failed_;
  int saved = errno;
  if (owns_file_ && std::fclose(file) != 0) ok = false;
  if (!ok) return Status::IOError(path_ + ": write failed: " + std::strerror(saved));
  return Status::Ok();
}

}  // namespace blobgraph::formats
