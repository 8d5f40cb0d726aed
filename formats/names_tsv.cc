#include "formats/names_tsv.h"

#include <fstream>

namespace blobgraph::formats {

Result<std::vector<std::pair<BlobHash, std::string>>> ReadNamesTsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot open for reading");
  std::vector<std::pair<BlobHash, std::string>> names;
  std::string line;
  uint64_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    if (tab == std::string::npos) {
      return Status::InvalidInput(path + ": line " + std::to_string(line_number) +
                                  ": expected HEX<TAB>NAME, found no tab");
    }
    auto hash = BlobHash::Parse(std::string_view(line).substr(0, tab));
    if (!hash.ok()) {
      return hash.status().WithContext(path + ": line " + std::to_string(line_number));
    }
    names.emplace_back(*hash, line.substr(tab + 1));
  }
  if (in.bad()) return Status::IOError(path + ": read failed");
  return names;
}

}  // namespace blobgraph::formats
