#include "formats/trace_format.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <vector>

#include "formats/text_format.h"

namespace blobgraph::formats {
namespace {

constexpr size_t kProbeBytes = 4096;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Reads until `size` bytes or end of file; returns the count read.
Result<size_t> ReadFull(int fd, uint8_t* out, size_t size, const std::string& path) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, out + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError(path + ": read failed: " + std::strerror(errno));
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Status PartialRecord(const std::string& path, uint64_t size) {
  uint64_t offset = size - size % kTraceRecordBytes;
  return Status::InvalidInput(path + ": offset " + std::to_string(offset) +
                              ": truncated record: " + std::to_string(size % kTraceRecordBytes) +
                              " bytes, expected 64");
}

bool IsText(std::span<const uint8_t> prefix) {
  for (uint8_t c : prefix) {
    if (!((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' || c == '\r')) return false;
  }
  return true;
}

Status ReadBinary(const std::string& path, const TraceChunkVisitor& on_chunk) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  struct stat info;
  if (::fstat(fd.get(), &info) != 0) {
    return Status::IOError(path + ": cannot stat: " + std::strerror(errno));
  }
  // A chunk's worth, or less for a small file (the size is only a hint; the
  // loop below reads until end of file either way).
  size_t records_per_read = std::clamp<uint64_t>(static_cast<uint64_t>(info.st_size) / kTraceRecordBytes + 1,
                                                 1, kTraceChunkEvents);
  std::vector<uint8_t> buffer(records_per_read * kTraceRecordBytes);
  std::vector<CallEvent> events(records_per_read);
  uint64_t offset = 0;
  for (;;) {
    auto got = ReadFull(fd.get(), buffer.data(), buffer.size(), path);
    if (!got.ok()) return got.status();
    size_t records = *got / kTraceRecordBytes;
    if (*got % kTraceRecordBytes != 0) return PartialRecord(path, offset + *got);
    for (size_t i = 0; i < records; ++i) {
      events[i].caller = BlobHash::FromBytes(buffer.data() + i * kTraceRecordBytes);
      events[i].callee = BlobHash::FromBytes(buffer.data() + i * kTraceRecordBytes + 32);
    }
    if (records > 0) {
      BLOBGRAPH_RETURN_IF_ERROR(on_chunk(std::span<const CallEvent>(events.data(), records)));
    }
    offset += *got;
    if (*got < buffer.size()) return Status::Ok();
  }
}

Status ReadText(const std::string& path, const TraceChunkVisitor& on_chunk) {
  std::vector<CallEvent> events;
  events.reserve(kTraceChunkEvents);
  Status status = ReadTextRecords(path, [&](const TextRecord& record) -> Status {
    if (!record.callee) {
      return Status::InvalidInput(path + ": line " + std::to_string(record.line) +
                                  ": a trace event needs a caller and a callee");
    }
    if (record.count != 1) {
      return Status::InvalidInput(path + ": line " + std::to_string(record.line) +
                                  ": a trace line is one call and takes no count");
    }
    events.push_back({record.caller, *record.callee});
    if (events.size() == kTraceChunkEvents) {
      BLOBGRAPH_RETURN_IF_ERROR(on_chunk(events));
      events.clear();
    }
    return Status::Ok();
  });
  BLOBGRAPH_RETURN_IF_ERROR(status);
  if (!events.empty()) return on_chunk(events);
  return Status::Ok();
}

Status ReadCapnp(const std::string& path, const TraceChunkVisitor& on_chunk) {
  schema::StreamVisitor visitor;
  visitor.on_events = on_chunk;
  return schema::ReadStream(path, schema::StreamContent::kTrace, visitor);
}

}  // namespace

const char* TraceFormatName(TraceFormat format) {
  switch (format) {
    case TraceFormat::kAuto: return "auto";
    case TraceFormat::kText: return "text";
    case TraceFormat::kBinary: return "binary";
    case TraceFormat::kCapnp: return "capnp";
  }
  return "unknown";
}

Result<TraceFormat> DetectTraceFormat(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  struct stat info;
  if (::fstat(fd.get(), &info) != 0) {
    return Status::IOError(path + ": cannot stat: " + std::strerror(errno));
  }
  std::vector<uint8_t> prefix(kProbeBytes);
  auto got = ReadFull(fd.get(), prefix.data(), prefix.size(), path);
  if (!got.ok()) return got.status();
  prefix.resize(*got);
  if (prefix.empty()) return TraceFormat::kBinary;
  if (schema::LooksLikeStream(prefix)) return TraceFormat::kCapnp;
  if (IsText(prefix)) return TraceFormat::kText;
  uint64_t size = static_cast<uint64_t>(info.st_size);
  if (size % kTraceRecordBytes != 0) return PartialRecord(path, size);
  return TraceFormat::kBinary;
}

Status ReadTrace(const std::string& path, TraceFormat format, const TraceChunkVisitor& on_chunk) {
  if (format == TraceFormat::kAuto) {
    auto detected = DetectTraceFormat(path);
    if (!detected.ok()) return detected.status();
    format = *detected;
  }
  switch (format) {
    case TraceFormat::kBinary: return ReadBinary(path, on_chunk);
    case TraceFormat::kText: return ReadText(path, on_chunk);
    case TraceFormat::kCapnp: return ReadCapnp(path, on_chunk);
    case TraceFormat::kAuto: break;
  }
  return Status::InvalidInput(path + ": unknown trace format");
}

}  // namespace blobgraph::formats
