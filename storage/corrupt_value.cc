#include "storage/corrupt_value.h"

#include <algorithm>

#include "core/hex.h"

namespace blobgraph::storage {

std::string DescribeKey(Cf cf, std::string_view key) {
  // Meta keys are ASCII words; everything else is a hash or an id.
  if (cf == Cf::kMeta) return std::string(CfName(cf)) + " key '" + std::string(key) + "'";
  constexpr size_t kMaxShown = 64;
  size_t shown = std::min(key.size(), kMaxShown);
  std::string text = std::string(CfName(cf)) + " key " +
                     ToHex(reinterpret_cast<const uint8_t*>(key.data()), shown);
  if (shown < key.size()) text += "... (" + std::to_string(key.size()) + " bytes)";
  return text;
}

Status CorruptValue(const std::string& path, Cf cf, std::string_view key,
                    std::string_view problem) {
  return Status::Corruption(path + ": " + DescribeKey(cf, key) +
                            ": stored record is corrupt: " + std::string(problem));
}

}  // namespace blobgraph::storage
