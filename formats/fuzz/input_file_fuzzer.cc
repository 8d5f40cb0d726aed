// Fuzzes schema::InputFile, the one reader of every outside file: gzip
// detection and decompression of arbitrary bytes, and an exact round trip of
// arbitrary bytes through gzip, also as a binary trace.
#include <zlib.h>

#include <cstdint>
#include <string>

#include "formats/trace_format.h"
#include "schema/input_file.h"

namespace {

std::string Gzip(const uint8_t* data, size_t size) {
  z_stream z{};
  if (deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    __builtin_trap();
  std::string out(deflateBound(&z, size) + 64, '\0');
  z.next_in = const_cast<Bytef*>(data);
  z.avail_in = static_cast<uInt>(size);
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) __builtin_trap();
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blobgraph;
  std::string bytes(reinterpret_cast<const char*>(data), size);

  // As given: plain bytes come back unchanged; gzip either decompresses or
  // fails naming the input and an offset, never anything in between.
  auto input = schema::InputFile::FromBytes(bytes, "fuzz.in");
  if (!input.ok()) __builtin_trap();
  bool gzip = (*input)->gzip();
  auto peeked = (*input)->Peek(size % 5000);
  if (!peeked.ok() && peeked.status().message().rfind("fuzz.in: offset ", 0) != 0) __builtin_trap();
  auto all = (*input)->ReadAll();
  if (!gzip && (!all.ok() || *all != bytes)) __builtin_trap();
  if (!all.ok() && all.status().message().rfind("fuzz.in: offset ", 0) != 0) __builtin_trap();

  // Compressed: exactly the same bytes back.
  auto packed = schema::InputFile::FromBytes(Gzip(data, size), "fuzz.gz");
  if (!packed.ok() || !(*packed)->gzip()) __builtin_trap();
  auto unpacked = (*packed)->ReadAll();
  if (!unpacked.ok() || *unpacked != bytes) __builtin_trap();

  // A gzip'ed binary trace: every record, or the partial one named.
  auto trace = schema::InputFile::FromBytes(Gzip(data, size), "trace.gz");
  if (!trace.ok()) __builtin_trap();
  uint64_t events = 0;
  Status read = formats::ReadTrace(**trace, formats::TraceFormat::kBinary,
                                   [&](std::span<const formats::CallEvent> chunk) {
                                     events += chunk.size();
                                     return Status::Ok();
                                   });
  if (read.ok() != (size % 64 == 0)) __builtin_trap();
  if (read.ok() && events != size / 64) __builtin_trap();
  return 0;
}
