#include "schema/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace blobgraph::schema {
namespace {

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// ".<name>.tmp.<pid>.<n>" beside `path`: hidden, and unique per process and call.
std::string TemporaryName(const std::string& path, uint64_t attempt) {
  static std::atomic<uint64_t> counter{0};
  size_t slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return dir + "." + base + ".tmp." + std::to_string(::getpid()) + "." +
         std::to_string(counter.fetch_add(1) + attempt);
}

}  // namespace

OutputFile::OutputFile(std::string path, std::string temporary, std::FILE* file)
    : path_(std::move(path)), temporary_(std::move(temporary)), file_(file) {}

OutputFile::~OutputFile() { Discard(); }

Result<std::unique_ptr<OutputFile>> OutputFile::Open(const std::string& path) {
  if (path == "-") return std::unique_ptr<OutputFile>(new OutputFile(kStdoutName, "", stdout));
  if (path.empty() || path.back() == '/') {
    return Status::IOError(path + ": cannot create: not a file name");
  }
  struct stat info;
  bool exists = ::stat(path.c_str(), &info) == 0;
  if (exists && S_ISDIR(info.st_mode)) {
    return Status::IOError(path + ": cannot create: is a directory");
  }
  // A device, FIFO or /dev/fd/N (also /dev/stdout when it is redirected to a
  // file, which the shell holds open): nothing to rename over, and /dev/null
  // must stay a device, so it is written in place; errors still reach Commit().
  bool special = path.rfind("/dev/", 0) == 0 || path.rfind("/proc/", 0) == 0;
  if (exists && (special || !S_ISREG(info.st_mode))) {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) return Status::IOError(path + ": cannot open: " + std::strerror(errno));
    std::unique_ptr<OutputFile> out(new OutputFile(path, "", file));
    out->direct_ = true;
    return out;
  }
  // A symbolic link to a file stays a link: the file it names is replaced.
  std::string target = path;
  if (struct stat link; ::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
    if (char* resolved = ::realpath(path.c_str(), nullptr)) {
      target = resolved;
      std::free(resolved);
    }
  }
  for (uint64_t attempt = 0;; ++attempt) {
    std::string temporary = TemporaryName(target, attempt);
    // 0666 through the umask, as fopen(path, "w") would create the file.
    int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST && attempt < 100) continue;
    if (fd < 0) return Status::IOError(path + ": cannot create: " + std::strerror(errno));
    std::FILE* file = ::fdopen(fd, "wb");
    if (file == nullptr) {
      int saved = errno;
      ::close(fd);
      ::unlink(temporary.c_str());
      return Status::IOError(path + ": cannot create: " + std::strerror(saved));
    }
    std::unique_ptr<OutputFile> out(new OutputFile(path, std::move(temporary), file));
    out->target_ = std::move(target);
    return out;
  }
}

Status OutputFile::Failed(const char* what, int error) {
  if (error_.ok()) {
    error_ = Status::IOError(path_ + ": " + what + ": " +
                             (error != 0 ? std::strerror(error) : "unknown error"));
  }
  return error_;
}

Status OutputFile::Write(std::string_view bytes) {
  if (!error_.ok()) return error_;
  if (done_) return Status::InvalidInput(path_ + ": write after the output was closed");
  if (bytes.empty()) return Status::Ok();
  errno = 0;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    return Failed("write failed", errno);
  }
  return Status::Ok();
}

Status OutputFile::Commit() {
  if (done_) return error_.ok() ? Status::InvalidInput(path_ + ": output committed twice") : error_;
  done_ = true;
  if (!error_.ok()) {
    done_ = false;
    Discard();
    return error_;
  }
  errno = 0;
  if (std::fflush(file_) != 0 || std::ferror(file_)) {
    Status failed = Failed("write failed", errno);
    if (file_ == stdout) std::clearerr(file_);
    done_ = false;
    Discard();
    return failed;
  }
  if (temporary_.empty() && !direct_) return Status::Ok();  // stdout: main() closes it
  std::FILE* file = file_;
  if (direct_) {
    file_ = nullptr;
    if (std::fclose(file) != 0) return Failed("close failed", errno);
    return Status::Ok();
  }
  file_ = nullptr;
  if (::fsync(::fileno(file)) != 0) {
    int saved = errno;
    std::fclose(file);
    ::unlink(temporary_.c_str());
    return Failed("sync failed", saved);
  }
  if (std::fclose(file) != 0) {
    int saved = errno;
    ::unlink(temporary_.c_str());
    return Failed("close failed", saved);
  }
  if (::rename(temporary_.c_str(), target_.c_str()) != 0) {
    int saved = errno;
    ::unlink(temporary_.c_str());
    return Failed("cannot rename the finished file into place", saved);
  }
  // The rename is durable once the directory entry is; a failure to sync the
  // directory leaves a complete file either way, so it is not reported.
  int dir = ::open(DirectoryOf(target_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    (void)::fsync(dir);
    ::close(dir);
  }
  return Status::Ok();
}

void OutputFile::Discard() {
  if (done_) return;
  done_ = true;
  if (temporary_.empty()) {
    // stdout or a device: what was written cannot be taken back; the caller
    // reports the error.
    if (direct_ && file_ != nullptr) std::fclose(file_);
    file_ = nullptr;
    return;
  }
  if (file_ != nullptr) {
    std::fclose(file_);
    file_ = nullptr;
  }
  ::unlink(temporary_.c_str());
}

}  // namespace blobgraph::schema
