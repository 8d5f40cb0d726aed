// info_log: the rocksdb::Logger a blobgraph store gives RocksDB as
// DBOptions::info_log, so that RocksDB never writes its info LOG itself.
//
// Why: Debian's librocksdb is built with assertions, and its own LOG writer
// (a WritableFileWriter) asserts on the first write after a failed one: on a
// full disk every write path died with SIGABRT before its I/O error could
// come back. These loggers never assert, never throw and never fail a
// caller: a line that cannot be written is dropped and counted.
//
// Internal to storage/. Every Logger method may be called from any RocksDB
// thread at once (each logger serialises its writes).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <rocksdb/env.h>

namespace blobgraph::storage {

// Appends to STORE/LOG (the file RocksDB would write), after moving an
// existing LOG to LOG.old; rolls to LOG.old again past kMaxInfoLogBytes.
// Lines that cannot be written (no space, I/O error) are dropped; the next
// line that can be written is preceded by a note of how many were lost. If
// the LOG cannot even be opened the logger drops everything: the store
// works without its info LOG.
inline constexpr size_t kMaxInfoLogBytes = 16 << 20;
std::shared_ptr<rocksdb::Logger> NewStoreInfoLog(const std::string& store_path);

// Writes nothing anywhere: keeps the last warnings and errors (WARN and up,
// at most a few dozen lines) in memory, for the message of a failed open.
// Used while a store is only being looked at (read-only opens, the checks
// before a read-write open), so that looking changes no file of the store.
class CapturingInfoLog final : public rocksdb::Logger {
 public:
  CapturingInfoLog() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override;

  // The captured lines, oldest first.
  std::vector<std::string> Lines() const;

 private:
  static constexpr size_t kMaxLines = 32;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

}  // namespace blobgraph::storage
