// InputFile: the one way every reader of outside files gets its bytes.
//
// Opens a path, or "-" for standard input, and reads it front to back exactly
// once: no reopening, no seeking, so pipes (`<(gunzip -c t.gz)`), FIFOs and
// stdin work like regular files. Gzip content is recognised by its magic bytes
// (1f 8b 08 and a flags byte with the reserved bits clear; never by the file's
// name) and decompressed with zlib on the fly, including concatenated members.
// Format detection looks at a buffered prefix with Peek(), which consumes
// nothing; the parser that follows reads the same bytes again from the start.
//
// Offsets are positions in the decompressed stream. Every error names the
// input (its path, or "<stdin>") and that offset:
//   "t.bin.gz: offset 90112: corrupt gzip data: invalid distance too far back"
//   "t.bin.gz: offset 131072: truncated gzip data (the stream ends before its trailer)"
// A short read is never silent: the end of a gzip stream is reported only
// after its trailer (CRC-32 and length) has been checked.
//
// One thread at a time; an InputFile owns its descriptor (not stdin's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "blobgraph/status.h"

namespace blobgraph::schema {

class InputFile {
 public:
  // The name "-" stands for in messages.
  static constexpr const char* kStdinName = "<stdin>";

  // Opens `path` ("-" = stdin) and looks at its first bytes for the gzip
  // magic. Errors: kIOError naming the path (cannot open or read).
  static Result<std::unique_ptr<InputFile>> Open(const std::string& path);
  // Bytes in memory (fuzzers, tests); gzip content is recognised as for files.
  static Result<std::unique_ptr<InputFile>> FromBytes(std::string bytes, std::string name);

  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // The path as given, or "<stdin>" for "-".
  const std::string& name() const { return name_; }
  bool gzip() const { return gzip_; }
  // Decompressed bytes handed out by Read() so far.
  uint64_t offset() const { return offset_; }
  // The byte count of a regular, uncompressed file, else 0 (unknown): a hint
  // for progress and reservations, never a promise of how much Read() yields.
  uint64_t size_hint() const { return size_hint_; }

  // Up to `bytes` bytes from the current position (fewer only at end of
  // input) without consuming them. The view points into this object and stays
  // valid until the next call. Errors: as Read().
  Result<std::string_view> Peek(size_t bytes);

  // Reads up to `size` bytes into `out`; returns how many, 0 only at end of
  // input. Errors: kIOError (read failed), kInvalidInput (corrupt or truncated
  // gzip), naming the input and offset; every later call returns it again.
  Result<size_t> Read(void* out, size_t size);
  // Reads until `size` bytes or end of input; returns the count read.
  Result<size_t> ReadFull(void* out, size_t size);
  // The rest of the input. `max_bytes`: kInvalidInput if there is more.
  Result<std::string> ReadAll(uint64_t max_bytes = UINT64_MAX);

  // "<name>: offset N: <what>" at the current offset.
  std::string Where() const;

 private:
  struct Gzip;
  InputFile(std::string name, int fd, bool owns_fd);
  Status DetectGzip();
  // Appends up to `size` decompressed bytes to `out`; 0 at end of input.
  Result<size_t> Produce(char* out, size_t size);
  Result<size_t> FillRaw();
  Result<size_t> Inflate(char* out, size_t size);
  Status Fail(Status status);

  std::string name_;
  int fd_;
  bool owns_fd_;
  bool gzip_ = false;
  uint64_t size_hint_ = 0;
  uint64_t offset_ = 0;
  Status error_;
  // Raw (compressed or not) bytes read from fd_ but not yet used; `memory_`
  // inputs keep all their bytes here and have no descriptor.
  std::string raw_;
  size_t raw_begin_ = 0;
  bool raw_eof_ = false;
  // Decompressed bytes peeked at but not yet read.
  std::string lookahead_;
  size_t lookahead_begin_ = 0;
  std::unique_ptr<Gzip> gz_;
};

}  // namespace blobgraph::schema
