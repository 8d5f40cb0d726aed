#include "storage/write_sink.h"

#include <atomic>
#include <filesystem>
#include <system_error>

#include <rocksdb/sst_file_writer.h>
#include <rocksdb/write_batch.h>

#include "storage/rocks_status.h"

namespace blobgraph::storage {
namespace {

rocksdb::Slice ToSlice(std::string_view view) { return {view.data(), view.size()}; }

class BatchSink final : public WriteSink {
 public:
  BatchSink(const DbHandles& handles, bool sync) : handles_(handles) { write_options_.sync = sync; }

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

class IngestSink final : public WriteSink {
 public:
  IngestSink(const DbHandles& handles, std::string temp_dir)
      : handles_(handles), temp_dir_(std::move(temp_dir)), writers_(kCfCount),
        files_(kCfCount) {}

  ~IngestSink() override {
    writers_.clear();  // closes open files before they are removed
    std::error_code ignored;
    for (const std::string& file : files_) {
      if (!file.empty()) std::filesystem::remove(file, ignored);
    }
  }

  Status Put(Cf cf, std::string_view key, std::string_view value) override {
    rocksdb::SstFileWriter* writer;
    BLOBGRAPH_RETURN_IF_ERROR(Writer(cf, &writer));
    return Check(cf, writer->Put(ToSlice(key), ToSlice(value)));
  }
  Status Merge(Cf cf, std::string_view key, std::string_view value) override {
    rocksdb::SstFileWriter* writer;
    BLOBGRAPH_RETURN_IF_ERROR(Writer(cf, &writer));
    return Check(cf, writer->Merge(ToSlice(key), ToSlice(value)));
  }
  Status Delete(Cf cf, std::string_view key) override {
    rocksdb::SstFileWriter* writer;
    BLOBGRAPH_RETURN_IF_ERROR(Writer(cf, &writer));
    return Check(cf, writer->Delete(ToSlice(key)));
  }

  Status Commit() override {
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
      arg.options.allow_blocking_flush = true;
      args.push_back(std::move(arg));
    }
    if (args.empty()) return Status::Ok();
    return FromRocks(handles_.db->IngestExternalFiles(args), handles_.path + ": ingesting files");
  }

 private:
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
  std::vector<std::unique_ptr<rocksdb::SstFileWriter>> writers_;  // indexed by Cf
  std::vector<std::string> files_;                                // indexed by Cf
};

}  // namespace

std::unique_ptr<WriteSink> NewBatchSink(const DbHandles& handles, bool sync) {
  return std::make_unique<BatchSink>(handles, sync);
}

std::unique_ptr<WriteSink> NewIngestSink(const DbHandles& handles, std::string temp_dir) {
  return std::make_unique<IngestSink>(handles, std::move(temp_dir));
}

std::string IngestTempDir(const std::string& store_path) { return store_path + "/tmp-ingest"; }

}  // namespace blobgraph::storage
