#include "storage/info_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>

namespace blobgraph::storage {
namespace {

// vsnprintf into a string: lines are short, the odd long one (options dumps,
// compaction summaries) is formatted a second time at its full length.
std::string Format(const char* format, va_list ap) {
  char buffer[1024];
  va_list copy;
  va_copy(copy, ap);
  int length = vsnprintf(buffer, sizeof(buffer), format, copy);
  va_end(copy);
  if (length < 0) return "(unformattable log line)";
  if (static_cast<size_t>(length) < sizeof(buffer)) return std::string(buffer, length);
  std::string line(static_cast<size_t>(length) + 1, '\0');
  vsnprintf(line.data(), line.size(), format, ap);
  line.resize(length);
  return line;
}

std::string Timestamp() {
  struct timeval now;
  gettimeofday(&now, nullptr);
  struct tm parts;
  localtime_r(&now.tv_sec, &parts);
  char text[80];
  snprintf(text, sizeof(text), "%04d/%02d/%02d-%02d:%02d:%02d.%06ld ", parts.tm_year + 1900,
           parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
           static_cast<long>(now.tv_usec));
  return text;
}

class StoreInfoLog final : public rocksdb::Logger {
 public:
  explicit StoreInfoLog(std::string path) : path_(std::move(path)) {
    std::rename(path_.c_str(), (path_ + ".old").c_str());  // absent LOG: nothing to keep
    OpenFile();
  }
  ~StoreInfoLog() override { CloseFile(); }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    std::string line = Timestamp() + Format(format, ap);
    if (line.back() != '\n') line.push_back('\n');
    std::lock_guard<std::mutex> lock(mutex_);
    if (fd_ >= 0 && size_ + line.size() > kMaxInfoLogBytes) Roll();
    if (dropped_ > 0) {
      std::string note = Timestamp() + "[blobgraph] " + std::to_string(dropped_) +
                         " info log lines dropped: " + std::strerror(last_errno_) + "\n";
      if (!Append(note)) {
        ++dropped_;
        return;
      }
      dropped_ = 0;
    }
    if (!Append(line)) ++dropped_;
  }

  size_t GetLogFileSize() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return size_;
  }

 protected:
  rocksdb::Status CloseImpl() override {
    std::lock_guard<std::mutex> lock(mutex_);
    CloseFile();
    return rocksdb::Status::OK();
  }

 private:
  void OpenFile() {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    size_ = 0;
    if (fd_ < 0) last_errno_ = errno;
  }
  void CloseFile() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void Roll() {
    CloseFile();
    std::rename(path_.c_str(), (path_ + ".old").c_str());
    OpenFile();
  }
  // One write(2) per line: a partly written line is cut off at the disk's
  // end, never followed by a retry that could interleave or assert.
  bool Append(const std::string& text) {
    if (fd_ < 0) return false;
    ssize_t written = ::write(fd_, text.data(), text.size());
    if (written > 0) size_ += static_cast<size_t>(written);
    if (written == static_cast<ssize_t>(text.size())) return true;
    last_errno_ = written < 0 ? errno : ENOSPC;
    return false;
  }

  const std::string path_;
  mutable std::mutex mutex_;  // guards everything below
  int fd_ = -1;
  size_t size_ = 0;
  uint64_t dropped_ = 0;
  int last_errno_ = 0;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewStoreInfoLog(const std::string& store_path) {
  return std::make_shared<StoreInfoLog>(store_path + "/LOG");
}

void CapturingInfoLog::Logv(const char* format, va_list ap) {
  Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
}

void CapturingInfoLog::Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) {
  if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
  std::string line = Format(format, ap);
  std::lock_guard<std::mutex> lock(mutex_);
  if (lines_.size() == kMaxLines) lines_.erase(lines_.begin());
  lines_.push_back(std::move(line));
}

std::vector<std::string> CapturingInfoLog::Lines() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lines_;
}

}  // namespace blobgraph::storage
