#include "schema/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace blobgraph::schema {
namespace {

constexpr size_t kRawBlockBytes = 256 << 10;

// The gzip header's first four bytes (RFC 1952): ID1 ID2, CM = 8 (deflate,
// the only method defined) and FLG with its three reserved bits clear. Four
// bytes keep a binary trace whose first hash happens to start with 1f 8b from
// being taken for gzip (the chance is 2^-27).
bool IsGzipMagic(std::string_view prefix) {
  return prefix.size() >= 4 && static_cast<uint8_t>(prefix[0]) == 0x1f &&
         static_cast<uint8_t>(prefix[1]) == 0x8b && static_cast<uint8_t>(prefix[2]) == 0x08 &&
         (static_cast<uint8_t>(prefix[3]) & 0xe0) == 0;
}

}  // namespace

struct InputFile::Gzip {
  z_stream stream{};
  bool initialised = false;
  bool member_done = false;  // the last member's trailer was checked
  uint64_t compressed_offset = 0;
  uint64_t produced = 0;  // decompressed bytes so far (read or peeked)

  ~Gzip() {
    if (initialised) inflateEnd(&stream);
  }
};

InputFile::InputFile(std::string name, int fd, bool owns_fd)
    : name_(std::move(name)), fd_(fd), owns_fd_(owns_fd) {}

InputFile::~InputFile() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<InputFile>> InputFile::Open(const std::string& path) {
  std::unique_ptr<InputFile> input;
  if (path == "-") {
    input.reset(new InputFile(kStdinName, STDIN_FILENO, false));
  } else {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IOError(path + ": cannot open: " + std::strerror(errno));
    input.reset(new InputFile(path, fd, true));
  }
  struct stat info;
  if (::fstat(input->fd_, &info) != 0) {
    return Status::IOError(input->name_ + ": cannot stat: " + std::strerror(errno));
  }
  if (S_ISDIR(info.st_mode)) return Status::IOError(input->name_ + ": is a directory");
  if (S_ISREG(info.st_mode)) input->size_hint_ = static_cast<uint64_t>(info.st_size);
  BLOBGRAPH_RETURN_IF_ERROR(input->DetectGzip());
  return input;
}

Result<std::unique_ptr<InputFile>> InputFile::FromBytes(std::string bytes, std::string name) {
  std::unique_ptr<InputFile> input(new InputFile(std::move(name), -1, false));
  input->size_hint_ = bytes.size();
  input->raw_ = std::move(bytes);
  input->raw_eof_ = true;
  BLOBGRAPH_RETURN_IF_ERROR(input->DetectGzip());
  return input;
}

Status InputFile::DetectGzip() {
  // Gather the magic's four bytes (a pipe may deliver fewer per read).
  while (!raw_eof_ && raw_.size() - raw_begin_ < 4) {
    auto got = FillRaw();
    if (!got.ok()) return got.status();
    if (*got == 0) break;
  }
  if (!IsGzipMagic(std::string_view(raw_).substr(raw_begin_))) return Status::Ok();
  gzip_ = true;
  size_hint_ = 0;
  gz_ = std::make_unique<Gzip>();
  // 16 + MAX_WBITS: a gzip wrapper, whose CRC-32 and length zlib checks.
  if (inflateInit2(&gz_->stream, 16 + MAX_WBITS) != Z_OK) {
    return Status::IOError(name_ + ": cannot start gzip decompression");
  }
  gz_->initialised = true;
  return Status::Ok();
}

// Reads one block from the descriptor onto the end of raw_ (dropping the
// part already used); the count read, 0 at end of file.
Result<size_t> InputFile::FillRaw() {
  if (fd_ < 0 || raw_eof_) {
    raw_eof_ = true;
    return size_t{0};
  }
  raw_.erase(0, raw_begin_);
  raw_begin_ = 0;
  size_t old_size = raw_.size();
  raw_.resize(old_size + kRawBlockBytes);
  ssize_t n;
  do {
    n = ::read(fd_, raw_.data() + old_size, kRawBlockBytes);
  } while (n < 0 && errno == EINTR);
  int saved = errno;
  raw_.resize(old_size + (n > 0 ? static_cast<size_t>(n) : 0));
  if (n < 0) return Status::IOError(name_ + ": read failed: " + std::strerror(saved));
  if (n == 0) raw_eof_ = true;
  return static_cast<size_t>(n);
}

Result<size_t> InputFile::Inflate(char* out, size_t size) {
  z_stream& z = gz_->stream;
  for (;;) {
    if (raw_begin_ == raw_.size() && !raw_eof_) {
      auto got = FillRaw();
      if (!got.ok()) return got.status();
    }
    if (raw_begin_ == raw_.size()) {
      if (gz_->member_done) return size_t{0};
      return Status::InvalidInput(name_ + ": offset " + std::to_string(gz_->produced) +
                                  ": truncated gzip data (the stream ends before its trailer)");
    }
    if (gz_->member_done) {
      // Another member follows (gzip a b > c concatenates); it must be gzip too.
      if (inflateReset(&z) != Z_OK) return Status::IOError(name_ + ": gzip reset failed");
      gz_->member_done = false;
    }
    z.next_in = reinterpret_cast<Bytef*>(raw_.data() + raw_begin_);
    z.avail_in = static_cast<uInt>(std::min<size_t>(raw_.size() - raw_begin_, UINT32_MAX));
    z.next_out = reinterpret_cast<Bytef*>(out);
    z.avail_out = static_cast<uInt>(std::min<size_t>(size, UINT32_MAX));
    int rc = inflate(&z, Z_NO_FLUSH);
    size_t consumed = reinterpret_cast<char*>(z.next_in) - (raw_.data() + raw_begin_);
    size_t produced = reinterpret_cast<char*>(z.next_out) - out;
    raw_begin_ += consumed;
    gz_->compressed_offset += consumed;
    gz_->produced += produced;
    if (rc == Z_STREAM_END) {
      gz_->member_done = true;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Status::InvalidInput(name_ + ": offset " + std::to_string(gz_->produced) +
                                  ": corrupt gzip data at compressed byte " +
                                  std::to_string(gz_->compressed_offset) + ": " +
                                  (z.msg != nullptr ? z.msg : zError(rc)));
    }
    if (produced > 0) return produced;
  }
}

Result<size_t> InputFile::Produce(char* out, size_t size) {
  if (gzip_) return Inflate(out, size);
  if (raw_begin_ < raw_.size()) {
    size_t n = std::min(size, raw_.size() - raw_begin_);
    std::memcpy(out, raw_.data() + raw_begin_, n);
    raw_begin_ += n;
    if (raw_begin_ == raw_.size()) {
      raw_.clear();
      raw_begin_ = 0;
    }
    return n;
  }
  if (raw_eof_ || fd_ < 0) return size_t{0};
  ssize_t n;
  do {
    n = ::read(fd_, out, size);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    return Status::IOError(name_ + ": read failed: " + std::strerror(errno));
  }
  if (n == 0) raw_eof_ = true;
  return static_cast<size_t>(n);
}

Status InputFile::Fail(Status status) {
  error_ = status;
  return status;
}

Result<std::string_view> InputFile::Peek(size_t bytes) {
  if (!error_.ok()) return error_;
  if (lookahead_begin_ > 0) {
    lookahead_.erase(0, lookahead_begin_);
    lookahead_begin_ = 0;
  }
  while (lookahead_.size() < bytes) {
    size_t old_size = lookahead_.size();
    lookahead_.resize(bytes);
    auto got = Produce(lookahead_.data() + old_size, bytes - old_size);
    lookahead_.resize(old_size + (got.ok() ? *got : 0));
    if (!got.ok()) return Fail(got.status());
    if (*got == 0) break;
  }
  return std::string_view(lookahead_).substr(0, std::min(bytes, lookahead_.size()));
}

Result<size_t> InputFile::Read(void* out, size_t size) {
  if (!error_.ok()) return error_;
  if (size == 0) return size_t{0};
  char* dest = static_cast<char*>(out);
  if (lookahead_begin_ < lookahead_.size()) {
    size_t n = std::min(size, lookahead_.size() - lookahead_begin_);
    std::memcpy(dest, lookahead_.data() + lookahead_begin_, n);
    lookahead_begin_ += n;
    if (lookahead_begin_ == lookahead_.size()) {
      lookahead_.clear();
      lookahead_begin_ = 0;
    }
    offset_ += n;
    return n;
  }
  auto got = Produce(dest, size);
  if (!got.ok()) return Fail(got.status());
  offset_ += *got;
  return *got;
}

Result<size_t> InputFile::ReadFull(void* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    auto got = Read(static_cast<char*>(out) + done, size - done);
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    done += *got;
  }
  return done;
}

Result<std::string> InputFile::ReadAll(uint64_t max_bytes) {
  std::string all;
  if (size_hint_ > 0) all.reserve(std::min<uint64_t>(size_hint_, max_bytes));
  for (;;) {
    size_t old_size = all.size();
    all.resize(old_size + kRawBlockBytes);
    auto got = Read(all.data() + old_size, kRawBlockBytes);
    all.resize(old_size + (got.ok() ? *got : 0));
    if (!got.ok()) return got.status();
    if (*got == 0) return all;
    if (all.size() > max_bytes) {
      return Status::InvalidInput(name_ + ": larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
}

std::string InputFile::Where() const { return name_ + ": offset " + std::to_string(offset_); }

}  // namespace blobgraph::schema
