// For fuzz targets whose parser reads a file: writes the input to one
// temporary file per process and returns its path. libFuzzer runs one input
// at a time per process, so the file is simply overwritten.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace blobgraph::formats::fuzz {

inline std::string WriteInput(const uint8_t* data, size_t size, const char* name) {
  static const std::string path =
      std::string("/tmp/blobgraph_fuzz_") + name + "_" + std::to_string(::getpid());
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) __builtin_trap();
  if (size > 0 && std::fwrite(data, 1, size, file) != size) __builtin_trap();
  std::fclose(file);
  return path;
}

}  // namespace blobgraph::formats::fuzz
