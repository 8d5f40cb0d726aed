// Fuzzes the text record parser (in memory) and the text profile reader.
#include <cstdint>
#include <string_view>

#include "blobgraph/profile_io.h"
#include "formats/fuzz/fuzz_file.h"
#include "formats/text_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blobgraph;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  uint64_t total = 0;
  Status status = formats::ParseTextRecords(text, "fuzz.txt", [&](const formats::TextRecord& r) {
    if (r.callee && r.count == 0) __builtin_trap();  // an edge always counts >= 1
    total += r.count;
    return Status::Ok();
  });
  if (!status.ok() && status.message().rfind("fuzz.txt: line ", 0) != 0) __builtin_trap();
  std::string path = formats::fuzz::WriteInput(data, size, "text");
  auto profile = formats::ReadProfile(path, formats::ProfileFormat::kText);
  (void)profile;
  return 0;
}
