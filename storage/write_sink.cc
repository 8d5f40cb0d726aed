#include "storage/write_sink.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <thread>

#include <rocksdb/sst_file_writer.h>
#include <rocksdb/write_batch.h>

#include "storage/rocks_status.h"

namespace blobgraph::storage {
namespace {

rocksdb::Slice ToSlice(std::string_view view) { return {view.data(), view.size()}; }

class BatchSink final : public WriteSink {
 public:
  BatchSink(const DbHandles& handles, bool sync, size_t expected_bytes)
      : handles_(handles), batch_(expected_bytes) {
    write_options_.sync = sync;
  }

  Status Put(Cf cf, std::string_view key, std::string_view value) override {
    return Check(batch_.Put(handles_.family(cf), ToSlice(key), ToSlice(value)));
  }
  Status Merge(Cf cf, std::string_view key, std::string_view value) override {
    return Check(batch_.Merge(handles_.family(cf), ToSlice(key), ToSlice(value)));
  }
  Status Delete(Cf cf, std::string_view key) override {
    return Check(batch_.Delete(handles_.family(cf), ToSlice(key)));
  }
  Status Commit() override {
    if (batch_.Count() == 0) return Status::Ok();
    return FromRocks(handles_.db->Write(write_options_, &batch_), handles_.path + ": write");
  }

 private:
  Status Check(const rocksdb::Status& status) {
    return FromRocks(status, handles_.path + ": building write batch");
  }
  const DbHandles& handles_;
  rocksdb::WriteOptions write_options_;
  rocksdb::WriteBatch batch_;
};

// Builds one SST file per column family and ingests them together. The
// SstFileWriters (block building and compression: most of an import's CPU)
// run on a second thread, fed in chunks, while the calling thread sorts,
// reads and encodes the next entries. One thread applies the chunks in
// order, so each file still receives its keys in the order they were added.
class IngestSink final : public WriteSink {
 public:
  IngestSink(const DbHandles& handles, std::string temp_dir)
      : handles_(handles), temp_dir_(std::move(temp_dir)), writers_(kCfCount), files_(kCfCount) {}

  ~IngestSink() override {
    StopEncoder();
    writers_.clear();  // closes open files before they are removed
    std::error_code ignored;
    for (const std::string& file : files_) {
      if (!file.empty()) std::filesystem::remove(file, ignored);
    }
  }

  Status Put(Cf cf, std::string_view key, std::string_view value) override {
    return Add(cf, OpType::kPut, key, value);
  }
  Status Merge(Cf cf, std::string_view key, std::string_view value) override {
    return Add(cf, OpType::kMerge, key, value);
  }
  Status Delete(Cf cf, std::string_view key) override { return Add(cf, OpType::kDelete, key, {}); }

  Status Commit() override {
    if (encoder_.joinable()) {
      BLOBGRAPH_RETURN_IF_ERROR(HandOff());
      StopEncoder();
      BLOBGRAPH_RETURN_IF_ERROR(encoder_status_);
    } else {
      // Small writes: not worth a thread.
      BLOBGRAPH_RETURN_IF_ERROR(Encode(current_));
    }
    std::vector<rocksdb::IngestExternalFileArg> args;
    for (size_t i = 0; i < kCfCount; ++i) {
      if (writers_[i] == nullptr) continue;
      BLOBGRAPH_RETURN_IF_ERROR(Check(static_cast<Cf>(i), writers_[i]->Finish()));
      writers_[i].reset();
      rocksdb::IngestExternalFileArg arg;
      arg.column_family = handles_.families[i];
      arg.external_files.push_back(files_[i]);
      // Hard-link instead of copying; the sink removes its own names after.
      arg.options.move_files = true;
      arg.options.snapshot_consistency = true;
      arg.options.allow_global_seqno = true;
      // The sequence number goes into the MANIFEST only, not into the
      // (hard-linked) file: no rewrite of the file after it was synced.
      arg.options.write_global_seqno = false;
      arg.options.allow_blocking_flush = true;
      args.push_back(std::move(arg));
    }
    if (args.empty()) return Status::Ok();
    return FromRocks(handles_.db->IngestExternalFiles(args), handles_.path + ": ingesting files");
  }

 private:
  enum class OpType : uint8_t { kPut, kMerge, kDelete };
  struct Op {
    Cf cf;
    OpType type;
    uint32_t key_size;
    uint32_t value_size;
  };
  // Entries waiting for the encoder; keys and values packed into `bytes`.
  struct Chunk {
    std::vector<Op> ops;
    std::string bytes;
    void Clear() {
      ops.clear();
      bytes.clear();
    }
  };
  static constexpr size_t kChunkBytes = 4 << 20;
  static constexpr size_t kMaxQueued = 2;  // bounds memory at ~3 chunks

  Status Add(Cf cf, OpType type, std::string_view key, std::string_view value) {
    if (key.size() > UINT32_MAX || value.size() > UINT32_MAX) {
      return Status::InvalidInput(handles_.path + ": entry of " +
                                  std::to_string(key.size() + value.size()) +
                                  " bytes is too large to ingest");
    }
    current_.ops.push_back(
        {cf, type, static_cast<uint32_t>(key.size()), static_cast<uint32_t>(value.size())});
    current_.bytes.append(key);
    current_.bytes.append(value);
    if (current_.bytes.size() < kChunkBytes) return Status::Ok();
    return HandOff();
  }

  // Queues `current_` for the encoder (starting it on first use), waiting
  // while the queue is full. Returns the encoder's error, if any.
  Status HandOff() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!encoder_.joinable()) encoder_ = std::thread([this] { EncoderLoop(); });
    space_.wait(lock, [this] { return queue_.size() < kMaxQueued || !encoder_status_.ok(); });
    if (!encoder_status_.ok()) return encoder_status_;
    queue_.push_back(std::move(current_));
    if (spare_.empty()) {
      current_ = Chunk();
    } else {
      current_ = std::move(spare_.back());
      spare_.pop_back();
    }
    ready_.notify_one();
    return Status::Ok();
  }

  void EncoderLoop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      ready_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything is encoded
      Chunk chunk = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      Status status = encoder_status_.ok() ? Encode(chunk) : Status::Ok();
      chunk.Clear();
      lock.lock();
      if (!status.ok() && encoder_status_.ok()) encoder_status_ = status;
      spare_.push_back(std::move(chunk));
      space_.notify_one();
    }
  }

  // Lets the encoder finish what is queued, then joins it.
  void StopEncoder() {
    if (!encoder_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_one();
    encoder_.join();
  }

  Status Encode(const Chunk& chunk) {
    const char* bytes = chunk.bytes.data();
    for (const Op& op : chunk.ops) {
      rocksdb::Slice key(bytes, op.key_size);
      rocksdb::Slice value(bytes + op.key_size, op.value_size);
      bytes += op.key_size + op.value_size;
      rocksdb::SstFileWriter* writer;
      BLOBGRAPH_RETURN_IF_ERROR(Writer(op.cf, &writer));
      rocksdb::Status status;
      switch (op.type) {
        case OpType::kPut:
          status = writer->Put(key, value);
          break;
        case OpType::kMerge:
          status = writer->Merge(key, value);
          break;
        case OpType::kDelete:
          status = writer->Delete(key);
          break;
      }
      BLOBGRAPH_RETURN_IF_ERROR(Check(op.cf, status));
    }
    return Status::Ok();
  }

  Status Writer(Cf cf, rocksdb::SstFileWriter** writer) {
    size_t index = static_cast<size_t>(cf);
    if (writers_[index] == nullptr) {
      std::error_code error;
      std::filesystem::create_directories(temp_dir_, error);
      if (error) return Status::IOError(temp_dir_ + ": " + error.message());
      static std::atomic<uint64_t> next_file{0};
      files_[index] = temp_dir_ + "/" + std::to_string(next_file++) + "-" + CfName(cf) + ".sst";
      rocksdb::Options options(handles_.db->GetDBOptions(),
                               handles_.db->GetOptions(handles_.family(cf)));
      auto fresh = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), options,
                                                            handles_.family(cf));
      BLOBGRAPH_RETURN_IF_ERROR(
          FromRocks(fresh->Open(files_[index]), files_[index] + ": creating"));
      writers_[index] = std::move(fresh);
    }
    *writer = writers_[index].get();
    return Status::Ok();
  }
  Status Check(Cf cf, const rocksdb::Status& status) {
    return FromRocks(status, files_[static_cast<size_t>(cf)]);
  }

  const DbHandles& handles_;
  std::string temp_dir_;
  // Touched only by the encoder while it runs; by this thread before it
  // starts and after it is joined.
  std::vector<std::unique_ptr<rocksdb::SstFileWriter>> writers_;  // indexed by Cf
  std::vector<std::string> files_;                                // indexed by Cf
  Chunk current_;                                                 // this thread's

  std::mutex mutex_;               // guards everything below
  std::condition_variable ready_;  // queue_ gained a chunk, or stopping_
  std::condition_variable space_;  // queue_ lost a chunk, or the encoder failed
  std::deque<Chunk> queue_;
  std::vector<Chunk> spare_;  // cleared chunks, to reuse their buffers
  Status encoder_status_;
  bool stopping_ = false;
  std::thread encoder_;
};

}  // namespace

std::unique_ptr<WriteSink> NewBatchSink(const DbHandles& handles, bool sync,
                                        size_t expected_bytes) {
  return std::make_unique<BatchSink>(handles, sync, expected_bytes);
}

std::unique_ptr<WriteSink> NewIngestSink(const DbHandles& handles, std::string temp_dir) {
  return std::make_unique<IngestSink>(handles, std::move(temp_dir));
}

std::string IngestTempDir(const std::string& store_path) { return store_path + "/tmp-ingest"; }

}  // namespace blobgraph::storage
