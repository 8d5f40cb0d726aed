#include "formats/names_tsv.h"

#include "schema/input_file.h"

namespace blobgraph::formats {

Result<std::vector<std::pair<BlobHash, std::string>>> ReadNamesTsv(const std::string& path) {
  auto input = schema::InputFile::Open(path);
  if (!input.ok()) return input.status();
  const std::string& name = (*input)->name();
  // Names files are small next to the update they feed; read in one go, so
  // lines of any length (long C++ names) need no line limit.
  auto text = (*input)->ReadAll();
  if (!text.ok()) return text.status();
  std::vector<std::pair<BlobHash, std::string>> names;
  std::string_view rest(*text);
  uint64_t line_number = 0;
  while (!rest.empty()) {
    size_t newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      return Status::InvalidInput(name + ": line " + std::to_string(line_number) +
                                  ": expected HEX<TAB>NAME, found no tab");
    }
    auto hash = BlobHash::Parse(line.substr(0, tab));
    if (!hash.ok()) {
      return hash.status().WithContext(name + ": line " + std::to_string(line_number));
    }
    names.emplace_back(*hash, std::string(line.substr(tab + 1)));
  }
  return names;
}

}  // namespace blobgraph::formats
