// ProfileDigest: SHA-256 over a canonical form of what a profile adds, so
// the same profile read from any format (capnp, text, json; gzip or not)
// has the same digest, and Retract can check that the file it is given is
// the one that was merged. Canonical form (integers as 8 bytes
// little-endian, hashes as 32 raw bytes):
//   "blobgraph-profile-digest 1\n", the 16-byte id,
//   edge count, then per caller -> callee (counts summed over repeats,
//     all-zero sums left out, sorted by caller then callee): caller, callee,
//     static, dynamic,
//   declared function count, then the functions sorted, repeats once,
//   load count, then per function (`runs` and `run_continuations` folded
//     into LoadWeights as Apply adds them, summed with `loads`, sorted):
//     hash, run_weight, position_weight,
//   run weight (update.run_weight plus kRunWeight per entry of `runs`).
// Names, feedback and the source host are not part of it: they add no
// counts a retraction takes back.
#include <openssl/evp.h>
#include <algorithm>
#include <map>
#include <tuple>

#include "blobgraph/graph_store.h"

namespace blobgraph {
namespace {

class Sha256 {
 public:
  Sha256() : context_(EVP_MD_CTX_new()) {
    if (context_ != nullptr) EVP_DigestInit_ex(context_, EVP_sha256(), nullptr);
  }
  ~Sha256() { EVP_MD_CTX_free(context_); }
  void Add(const void* data, size_t size) {
    if (context_ != nullptr) EVP_DigestUpdate(context_, data, size);
  }
  void Add(uint64_t value) {
    uint8_t bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(value >> (8 * i));
    Add(bytes, sizeof(bytes));
  }
  void Add(const BlobHash& hash) { Add(hash.data(), BlobHash::kSize); }
  std::array<uint8_t, 32> Finish() {
    std::array<uint8_t, 32> digest{};
    unsigned int size = 0;
    if (context_ != nullptr) EVP_DigestFinal_ex(context_, digest.data(), &size);
    return digest;
  }

 private:
  EVP_MD_CTX* context_;
};

}  // namespace

std::array<uint8_t, 32> ProfileDigest(const GraphUpdate& update) {
  Sha256 sha;
  static constexpr char kTag[] = "blobgraph-profile-digest 1\n";
  sha.Add(kTag, sizeof(kTag) - 1);
  if (update.profile) sha.Add(update.profile->id.data(), update.profile->id.size());

  std::vector<EdgeDelta> edges = update.edges;
  std::sort(edges.begin(), edges.end(), [](const EdgeDelta& a, const EdgeDelta& b) {
    return std::tie(a.caller, a.callee) < std::tie(b.caller, b.callee);
  });
  std::vector<EdgeDelta> summed;
  for (const EdgeDelta& edge : edges) {
    if (!summed.empty() && summed.back().caller == edge.caller &&
        summed.back().callee == edge.callee) {
      summed.back().static_count += edge.static_count;
      summed.back().dynamic_count += edge.dynamic_count;
    } else {
      summed.push_back(edge);
    }
  }
  std::erase_if(summed,
                [](const EdgeDelta& e) { return e.static_count == 0 && e.dynamic_count == 0; });
  sha.Add(summed.size());
  for (const EdgeDelta& edge : summed) {
    sha.Add(edge.caller);
    sha.Add(edge.callee);
    sha.Add(edge.static_count);
    sha.Add(edge.dynamic_count);
  }

  std::vector<BlobHash> functions = update.functions;
  std::sort(functions.begin(), functions.end());
  functions.erase(std::unique(functions.begin(), functions.end()), functions.end());
  sha.Add(functions.size());
  for (const BlobHash& function : functions) sha.Add(function);

  constexpr uint64_t kUnit = LoadRecord::kRunWeight;
  std::map<BlobHash, std::pair<uint64_t, uint64_t>> loads;
  for (const auto& run : update.runs) {
    for (size_t position = 0; position < run.size(); ++position) {
      auto& load = loads[run[position]];
      load.first += kUnit;
      load.second += position * kUnit;
    }
  }
  for (const RunContinuation& part : update.run_continuations) {
    for (size_t i = 0; i < part.loads.size(); ++i) {
      auto& load = loads[part.loads[i]];
      load.first += kUnit;
      load.second += (part.first_position + i) * kUnit;
    }
  }
  for (const LoadWeights& weights : update.loads) {
    auto& load = loads[weights.hash];
    load.first += weights.run_weight;
    load.second += weights.position_weight;
  }
  std::erase_if(
      loads, [](const auto& entry) { return entry.second.first == 0 && entry.second.second == 0; });
  sha.Add(loads.size());
  for (const auto& [hash, load] : loads) {
    sha.Add(hash);
    sha.Add(load.first);
    sha.Add(load.second);
  }
  sha.Add(update.run_weight + update.runs.size() * kUnit);
  return sha.Finish();
}

}  // namespace blobgraph
