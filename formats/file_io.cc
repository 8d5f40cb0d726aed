#include "formats/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace blobgraph::formats::internal {

Result<std::string> ReadFilePrefix(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  std::string prefix(max_bytes, '\0');
  ssize_t n;
  do {
    n = ::pread(fd, prefix.data(), prefix.size(), 0);
  } while (n < 0 && errno == EINTR);
  int saved = errno;
  ::close(fd);
  if (n < 0) return Status::IOError(path + ": read failed: " + std::strerror(saved));
  prefix.resize(static_cast<size_t>(n));
  return prefix;
}

Status FinishOutput(std::FILE** file, bool owns_file, const std::string& path,
                    bool already_failed) {
  std::FILE* closing = *file;
  *file = nullptr;
  errno = 0;
  bool ok = std::fflush(closing) == 0 && !already_failed;
  int saved = errno;
  if (owns_file && std::fclose(closing) != 0) {
    ok = false;
    if (saved == 0) saved = errno;
  }
  if (!ok) {
    return Status::IOError(path + ": write failed: " +
                           (saved != 0 ? std::strerror(saved) : "earlier write failed"));
  }
  return Status::Ok();
}

}  // namespace blobgraph::formats::internal
