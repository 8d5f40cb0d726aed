// Fuzzes trace detection and every trace reader on arbitrary file contents.
#include <cstdint>

#include "formats/fuzz/fuzz_file.h"
#include "formats/trace_format.h"
#include "schema/input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blobgraph;
  std::string path = formats::fuzz::WriteInput(data, size, "trace");
  uint64_t events = 0;
  auto count = [&](std::span<const formats::CallEvent> chunk) {
    events += chunk.size();
    return Status::Ok();
  };
  Status binary = formats::ReadTrace(path, formats::TraceFormat::kBinary, count);
  // Content that starts with the gzip magic is decompressed first
  // (input_file_fuzzer checks that path); the rest is read as records.
  auto input =
      schema::InputFile::FromBytes(std::string(reinterpret_cast<const char*>(data), size), "t");
  if (!input.ok()) __builtin_trap();
  if (!(*input)->gzip()) {
    if (binary.ok() != (size % 64 == 0)) __builtin_trap();
    if (binary.ok() && events != size / 64) __builtin_trap();
  }
  Status detected = formats::ReadTrace(path, formats::TraceFormat::kAuto, count);
  (void)detected;
  return 0;
}
