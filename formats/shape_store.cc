// LoadShapeStore: walks a Shape blob store and turns valid blobs into a
// GraphUpdate (format and layout in shape_blob.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unordered_set>

#include "formats/shape_blob.h"

namespace blobgraph::formats {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSuffix = ".blob";
// Blobs are small; a "blob" larger than this is refused rather than read.
constexpr uint64_t kMaxBlobBytes = 256ull << 20;

struct Candidate {
  std::string relative;  // "ab/cd....blob"
  std::optional<BlobHash> identity;
};

bool IsLowerHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The identity spelled by "ab/<62 hex>.blob", or nullopt.
std::optional<BlobHash> IdentityFromPath(std::string_view relative) {
  if (relative.size() != 2 + 1 + 62 + kSuffix.size() || relative[2] != '/') return std::nullopt;
  std::string hex(relative.substr(0, 2));
  hex.append(relative.substr(3, 62));
  if (!IsLowerHex(hex)) return std::nullopt;
  auto hash = BlobHash::Parse(hex);
  if (!hash.ok()) return std::nullopt;
  return *hash;
}

Result<std::vector<uint8_t>> ReadBlobFile(const fs::path& path, const std::string& relative) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(relative + ": cannot open: " + std::strerror(errno));
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    int saved = errno;
    ::close(fd);
    return Status::IOError(relative + ": cannot stat: " + std::strerror(saved));
  }
  uint64_t size = static_cast<uint64_t>(info.st_size);
  if (size > kMaxBlobBytes) {
    ::close(fd);
    return Status::InvalidInput(relative + ": " + std::to_string(size) +
                                " bytes, larger than the " + std::to_string(kMaxBlobBytes) +
                                "-byte limit for a blob");
  }
  std::vector<uint8_t> bytes(size);
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, bytes.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  bytes.resize(done);  // a file that shrank is judged by what was read
  return bytes;
}

Result<std::vector<Candidate>> ListBlobs(const std::string& root) {
  std::error_code error;
  if (!fs::is_directory(root, error)) {
    return Status::IOError(root + ": not a directory" +
                           (error ? ": " + error.message() : std::string()));
  }
  std::vector<Candidate> out;
  fs::recursive_directory_iterator it(root, error), end;
  if (error) return Status::IOError(root + ": cannot list: " + error.message());
  for (; it != end; it.increment(error)) {
    if (error) return Status::IOError(root + ": cannot list: " + error.message());
    const fs::path& path = it->path();
    std::string name = path.filename().string();
    if (name.size() < kSuffix.size() || name.substr(name.size() - kSuffix.size()) != kSuffix) {
      continue;
    }
    if (!it->is_regular_file(error)) continue;
    std::string relative = path.lexically_relative(root).generic_string();
    out.push_back({relative, IdentityFromPath(relative)});
  }
  std::sort(out.begin(), out.end(),
            [](const Candidate& a, const Candidate& b) { return a.relative < b.relative; });
  return out;
}

}  // namespace

Result<ShapeStoreImport> LoadShapeStore(const std::string& root, const ShapeStoreOptions& options) {
  auto candidates = ListBlobs(root);
  if (!candidates.ok()) return candidates.status();
  ShapeStoreImport out;
  std::unordered_set<BlobHash> present;
  for (const Candidate& candidate : *candidates) {
    if (candidate.identity) present.insert(*candidate.identity);
  }
  auto problem = [&](const std::string& relative, const std::string& reason) -> Status {
    if (options.strict) return Status::InvalidInput(root + "/" + relative + ": " + reason);
    out.problems.push_back({relative, reason});
    return Status::Ok();
  };
  std::vector<BlobHash> sorted;  // one blob's dependencies, reused
  for (const Candidate& candidate : *candidates) {
    if (!candidate.identity) {
      BLOBGRAPH_RETURN_IF_ERROR(problem(
          candidate.relative, "path is not a hash: expected ab/<62 lowercase hex digits>.blob"));
      continue;
    }
    auto bytes = ReadBlobFile(fs::path(root) / candidate.relative, candidate.relative);
    if (!bytes.ok()) {
      if (bytes.status().code() == Status::Code::kIOError) return bytes.status();
      BLOBGRAPH_RETURN_IF_ERROR(problem(
          candidate.relative, bytes.status().message().substr(candidate.relative.size() + 2)));
      continue;
    }
    auto blob = ParseShapeBlob(*bytes, candidate.relative);
    if (!blob.ok()) {
      // The message starts with the relative path; the problem keeps only the reason.
      std::string reason = blob.status().message().substr(candidate.relative.size() + 2);
      BLOBGRAPH_RETURN_IF_ERROR(problem(candidate.relative, reason));
      continue;
    }
    const BlobHash& caller = *candidate.identity;
    ++out.blobs;
    out.update.functions.push_back(caller);
    if (!blob->name.empty()) out.update.names.emplace_back(caller, blob->name);
    // One edge per distinct callee, its count the number of call sites.
    sorted.assign(blob->dependencies.begin(), blob->dependencies.end());
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size();) {
      size_t run = 1;
      while (i + run < sorted.size() && sorted[i + run] == sorted[i]) ++run;
      out.update.edges.push_back({caller, sorted[i], run, 0});
      if (!present.contains(sorted[i])) out.dangling.push_back({caller, sorted[i]});
      i += run;
    }
    out.call_sites += blob->dependencies.size();
  }
  return out;
}

}  // namespace blobgraph::formats
