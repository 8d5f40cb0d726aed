// GraphStore::Open: creates or opens a store, checking that the directory is
// ours and of a format this build reads before anything is written to it.
#include <algorithm>
#include <filesystem>

#include "storage/graph_store_impl.h"
#include "storage/key_layout.h"
#include "storage/rocks_status.h"
#include "storage/store_options.h"

namespace blobgraph {
namespace {

using storage::Cf;
using storage::FromRocks;
namespace fs = std::filesystem;

struct OpenedDb {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> families;  // ours, indexed by Cf
};

void CloseDb(OpenedDb* opened) {
  for (rocksdb::ColumnFamilyHandle* handle : opened->families) {
    opened->db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  opened->families.clear();
  if (opened->db) opened->db->Close().PermitUncheckedError();
  opened->db.reset();
}

Status MapOpenError(const rocksdb::Status& status, const std::string& path) {
  if (storage::IsLockFailure(status)) {
    return Status::Busy(path + ": store is in use by another process (pid unknown) — open "
                               "read-only to read it meanwhile, or stop the other process");
  }
  return FromRocks(status, path + ": opening store");
}

// Opens the column families in `names` (ours get our options; any foreign
// family is opened with defaults and closed again at once).
Status OpenDb(const std::string& path, const StoreOptions& options, bool create,
              const std::vector<std::string>& names, OpenedDb* opened) {
  storage::TunedOptions tuned = storage::BuildOptions(options);
  tuned.db.create_if_missing = create;
  tuned.db.create_missing_column_families = create;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = tuned.families;
  for (const std::string& name : names) {
    bool ours = std::any_of(descriptors.begin(), descriptors.begin() + storage::kCfCount,
                            [&name](const auto& d) { return d.name == name; });
    if (!ours) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status =
      options.read_only ? rocksdb::DB::OpenForReadOnly(tuned.db, path, descriptors, &handles, &raw)
                        : rocksdb::DB::Open(tuned.db, path, descriptors, &handles, &raw);
  if (!status.ok()) return MapOpenError(status, path);
  opened->db.reset(raw);
  for (size_t i = storage::kCfCount; i < handles.size(); ++i) {
    opened->db->DestroyColumnFamilyHandle(handles[i]).PermitUncheckedError();
  }
  handles.resize(storage::kCfCount);
  opened->families = std::move(handles);
  return Status::Ok();
}

bool AllFamiliesEmpty(const OpenedDb& opened) {
  for (rocksdb::ColumnFamilyHandle* handle : opened.families) {
    std::unique_ptr<rocksdb::Iterator> it(opened.db->NewIterator(rocksdb::ReadOptions(), handle));
    it->SeekToFirst();
    if (it->Valid() || !it->status().ok()) return false;
  }
  return true;
}

Status WriteFormat(const OpenedDb& opened, const std::string& path) {
  rocksdb::WriteOptions write;
  write.sync = true;
  std::string value = storage::FormatValue(storage::kFormatVersion);
  return FromRocks(opened.db->Put(write, opened.families[0],
                                  rocksdb::Slice(storage::kFormatKey.data(),
                                                 storage::kFormatKey.size()),
                                  value),
                   path + ": writing format version");
}

// Checks the format key of an opened store; writes it into a store whose
// creation was cut short (all families present and empty).
Status CheckFormat(const OpenedDb& opened, const std::string& path, bool read_only) {
  std::string value;
  rocksdb::Status got = opened.db->Get(
      rocksdb::ReadOptions(), opened.families[0],
      rocksdb::Slice(storage::kFormatKey.data(), storage::kFormatKey.size()), &value);
  if (got.IsNotFound()) {
    if (!read_only && AllFamiliesEmpty(opened)) return WriteFormat(opened, path);
    return Status::Incompatible(path + ": not a blobgraph store (a RocksDB database without "
                                       "blobgraph's format key)");
  }
  if (!got.ok()) return FromRocks(got, path + ": reading format version");
  std::optional<int> version = storage::ParseFormatValue(value);
  if (!version) {
    return Status::Incompatible(path + ": not a blobgraph store (format key holds '" + value +
                                "')");
  }
  if (*version > storage::kFormatVersion) {
    return Status::Incompatible(path + ": written by a newer blobgraph (format " +
                                std::to_string(*version) + ", this build reads up to " +
                                std::to_string(storage::kFormatVersion) + ")");
  }
  return Status::Ok();
}

Result<std::unique_ptr<GraphStore>> Finish(const std::string& path, const StoreOptions& options,
                                           OpenedDb opened) {
  if (!options.read_only) {
    std::error_code ignored;  // leftovers of an ingestion cut short by a crash
    fs::remove_all(storage::IngestTempDir(path), ignored);
  }
  std::unique_ptr<GraphStore> store = std::make_unique<storage::GraphStoreImpl>(
      path, options, std::move(opened.db), std::move(opened.families));
  return store;
}

Result<std::unique_ptr<GraphStore>> CreateStore(const std::string& path,
                                                const StoreOptions& options) {
  if (!options.create_if_missing) {
    return Status::NotFound(path + ": no blobgraph store here (and create_if_missing is off)");
  }
  if (options.read_only) {
    return Status::NotFound(path + ": no blobgraph store here to open read-only");
  }
  std::error_code error;
  fs::create_directories(path, error);
  if (error) return Status::IOError(path + ": creating directory: " + error.message());
  std::vector<std::string> names;
  OpenedDb opened;
  BLOBGRAPH_RETURN_IF_ERROR(OpenDb(path, options, /*create=*/true, names, &opened));
  if (Status status = WriteFormat(opened, path); !status.ok()) {
    CloseDb(&opened);
    return status;
  }
  return Finish(path, options, std::move(opened));
}

}  // namespace

Result<std::unique_ptr<GraphStore>> GraphStore::Open(const std::string& path,
                                                     const StoreOptions& options) {
  // Before anything is created or opened: a NaN/inf/negative prior weight
  // would make every probability the store reports NaN.
  BLOBGRAPH_RETURN_IF_ERROR(ValidateProbabilityModel(options.model, path + ": store options"));
  std::error_code error;
  fs::file_status status = fs::status(path, error);
  if (!fs::exists(status)) return CreateStore(path, options);
  if (!fs::is_directory(status)) {
    return Status::Incompatible(path + ": not a blobgraph store (not a directory)");
  }
  if (!fs::exists(path + "/CURRENT", error)) {
    if (!fs::is_empty(path, error)) {
      return Status::Incompatible(path + ": not a blobgraph store (the directory holds other "
                                         "files and no store); use an empty or new directory");
    }
    return CreateStore(path, options);
  }

  std::vector<std::string> names;
  rocksdb::Status listed =
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names);
  if (!listed.ok()) return FromRocks(listed, path + ": listing column families");
  for (size_t i = 0; i < storage::kCfCount; ++i) {
    std::string name = storage::CfName(static_cast<Cf>(i));
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    // Not all of our families: look without writing, then refuse.
    storage::TunedOptions tuned = storage::BuildOptions(options);
    rocksdb::DB* raw = nullptr;
    rocksdb::Status peek = rocksdb::DB::OpenForReadOnly(
        rocksdb::Options(tuned.db, tuned.families[0].options), path, &raw);
    if (!peek.ok()) return MapOpenError(peek, path);
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string value;
    bool ours = db->Get(rocksdb::ReadOptions(),
                        rocksdb::Slice(storage::kFormatKey.data(), storage::kFormatKey.size()),
                        &value)
                    .ok() &&
                storage::ParseFormatValue(value).has_value();
    db->Close().PermitUncheckedError();
    if (ours) {
      return Status::Corruption(path + ": blobgraph store lacks its column family '" + name +
                                "'");
    }
    return Status::Incompatible(path + ": not a blobgraph store (a RocksDB database without "
                                       "blobgraph's column families)");
  }

  OpenedDb opened;
  BLOBGRAPH_RETURN_IF_ERROR(OpenDb(path, options, /*create=*/false, names, &opened));
  if (Status checked = CheckFormat(opened, path, options.read_only); !checked.ok()) {
    CloseDb(&opened);
    return checked;
  }
  return Finish(path, options, std::move(opened));
}

}  // namespace blobgraph
