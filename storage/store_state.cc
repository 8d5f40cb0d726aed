#include "storage/store_state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace blobgraph::storage {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kHeader = "blobgraph-state 1";
constexpr std::string_view kManifestPrefix = "MANIFEST-";

std::string StatePath(const std::string& store_path) { return store_path + "/" + kStoreStateFile; }

std::string ManifestName(uint64_t number) {
  char name[32];
  snprintf(name, sizeof(name), "MANIFEST-%06llu", static_cast<unsigned long long>(number));
  return name;
}

// The number in "MANIFEST-000022" (with or without a leading '/'), if it is one.
std::optional<uint64_t> ManifestNumber(std::string_view name) {
  if (!name.empty() && name.front() == '/') name.remove_prefix(1);
  if (name.substr(0, kManifestPrefix.size()) != kManifestPrefix) return std::nullopt;
  name.remove_prefix(kManifestPrefix.size());
  if (name.empty() || name.size() > 19) return std::nullopt;
  uint64_t number = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return std::nullopt;
    number = number * 10 + static_cast<uint64_t>(c - '0');
  }
  return number;
}

Status WriteAll(int fd, const std::string& text, const std::string& file) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t written = ::write(fd, text.data() + done, text.size() - done);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      return Status::IOError(file + ": writing: " + std::strerror(written < 0 ? errno : ENOSPC));
    }
    done += static_cast<size_t>(written);
  }
  return Status::Ok();
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(dir + ": opening to sync: " + std::strerror(errno));
  int synced = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (synced != 0) return Status::IOError(dir + ": syncing: " + std::strerror(error));
  return Status::Ok();
}

std::string WalFilesOf(const std::string& store_path) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(store_path, error)) {
    if (entry.path().extension() == ".log") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  if (names.empty()) return "no write-ahead log file is left";
  std::string text = "write-ahead log";
  text += names.size() > 1 ? "s " : " ";
  for (size_t i = 0; i < names.size(); ++i) text += (i ? ", " : "") + names[i];
  return text;
}

}  // namespace

Result<std::optional<StoreState>> ReadStoreState(const std::string& store_path) {
  const std::string file = StatePath(store_path);
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::error_code error;
    if (!fs::exists(file, error) && !error) return std::optional<StoreState>();
    return Status::IOError(file + ": cannot be read: " + std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  std::istringstream lines(text.str());
  std::string header, manifest_word, sequence_word, rest;
  StoreState state;
  bool ok = static_cast<bool>(std::getline(lines, header)) && header == kHeader &&
            static_cast<bool>(lines >> manifest_word >> state.manifest_number >>
                              state.manifest_bytes >> sequence_word >> state.sequence) &&
            manifest_word == "manifest" && sequence_word == "sequence" && !(lines >> rest);
  if (!ok) {
    return Status::Corruption(file + ": not a blobgraph state file (expected '" +
                              std::string(kHeader) +
                              "', 'manifest N BYTES', 'sequence N'); if only this file is "
                              "damaged, removing it opens the store without the checks it "
                              "enables");
  }
  return std::optional<StoreState>(state);
}

Status WriteStoreState(const std::string& store_path, const StoreState& state) {
  const std::string file = StatePath(store_path), temp = file + ".tmp";
  std::string text = std::string(kHeader) + "\nmanifest " + std::to_string(state.manifest_number) +
                     " " + std::to_string(state.manifest_bytes) + "\nsequence " +
                     std::to_string(state.sequence) + "\n";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError(temp + ": creating: " + std::strerror(errno));
  Status status = WriteAll(fd, text, temp);
  if (status.ok() && ::fsync(fd) != 0) {
    status = Status::IOError(temp + ": syncing: " + std::strerror(errno));
  }
  ::close(fd);
  if (status.ok() && std::rename(temp.c_str(), file.c_str()) != 0) {
    status = Status::IOError(file + ": replacing: " + std::strerror(errno));
  }
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  return SyncDirectory(store_path);
}

Status CheckManifest(const std::string& store_path, const StoreState& recorded) {
  std::ifstream current_file(store_path + "/CURRENT", std::ios::binary);
  std::string current;
  // An unreadable CURRENT is RocksDB's to report, with its own words.
  if (!std::getline(current_file, current)) return Status::Ok();
  std::optional<uint64_t> number = ManifestNumber(current);
  if (!number) return Status::Ok();
  const std::string recorded_name = ManifestName(recorded.manifest_number);
  if (*number < recorded.manifest_number) {
    return Status::Corruption(store_path + "/CURRENT: names " + current + ", older than " +
                              recorded_name + " which the store recorded in " + kStoreStateFile +
                              ": the store was rolled back");
  }
  if (*number > recorded.manifest_number) return Status::Ok();  // RocksDB wrote a new one
  const std::string manifest = store_path + "/" + current;
  std::error_code error;
  uintmax_t bytes = fs::file_size(manifest, error);
  if (error) return Status::Ok();  // missing: RocksDB reports it
  if (bytes < recorded.manifest_bytes) {
    return Status::Corruption(manifest + ": " + std::to_string(bytes) +
                              " bytes, but the store "
                              "recorded " +
                              std::to_string(recorded.manifest_bytes) + " bytes of it in " +
                              kStoreStateFile +
                              ": the MANIFEST is truncated (it would open as an older state and "
                              "lose table files); nothing was opened or changed");
  }
  return Status::Ok();
}

Status CheckSequence(const std::string& store_path, const StoreState& recorded,
                     uint64_t recovered_sequence) {
  if (recovered_sequence >= recorded.sequence) return Status::Ok();
  return Status::Corruption(
      store_path + ": writes up to sequence number " + std::to_string(recorded.sequence) +
      " were durable (recorded in " + kStoreStateFile + "), but the store recovers only up to " +
      std::to_string(recovered_sequence) + " (" + WalFilesOf(store_path) +
      "): a write-ahead log is missing or cut short; nothing was opened or changed");
}

Status StoreStateRecorder::Record(rocksdb::DB* db, uint64_t durable_sequence) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> files;
  uint64_t manifest_bytes = 0;
  rocksdb::Status listed = db->GetLiveFiles(files, &manifest_bytes, /*flush_memtable=*/false);
  if (!listed.ok()) return Status::IOError(path_ + ": listing live files: " + listed.ToString());
  StoreState next = last_;
  for (const std::string& name : files) {
    if (std::optional<uint64_t> number = ManifestNumber(name)) next.manifest_number = *number;
  }
  // Called under our mutex in the order RocksDB's state advanced, so these
  // only grow; max() guards the sequence, which a bottom-level compaction
  // may zero in the files themselves.
  next.manifest_bytes = manifest_bytes;
  next.sequence = std::max(last_.sequence, durable_sequence);
  if (next.manifest_number == last_.manifest_number &&
      next.manifest_bytes == last_.manifest_bytes && next.sequence == last_.sequence) {
    return Status::Ok();
  }
  BLOBGRAPH_RETURN_IF_ERROR(WriteStoreState(path_, next));
  last_ = next;
  return Status::Ok();
}

std::string StoreStateRecorder::stop_reason() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stop_reason_;
}

void StoreStateRecorder::OnFlushCompleted(rocksdb::DB* db, const rocksdb::FlushJobInfo& info) {
  static_cast<void>(Record(db, info.largest_seqno));
}

void StoreStateRecorder::OnCompactionCompleted(rocksdb::DB* db,
                                               const rocksdb::CompactionJobInfo& info) {
  if (info.status.ok()) static_cast<void>(Record(db, 0));
}

void StoreStateRecorder::OnExternalFileIngested(rocksdb::DB* db,
                                                const rocksdb::ExternalFileIngestionInfo& info) {
  static_cast<void>(Record(db, info.global_seqno));
}

void StoreStateRecorder::OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) {
  if (error == nullptr || error->ok()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (stop_reason_.empty() || !writes_stopped_.load()) stop_reason_ = error->ToString();
  writes_stopped_.store(true, std::memory_order_release);
}

void StoreStateRecorder::OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                                              bool* auto_recovery) {
  // One way back to writing: GraphStoreImpl calls DB::Resume() before its
  // next write, under its writer mutex, so recovery never races a write.
  if (auto_recovery != nullptr) *auto_recovery = false;
}

}  // namespace blobgraph::storage
