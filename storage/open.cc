// GraphStore::Open: creates or opens a store, checking that the directory is
// ours, undamaged and of a format this build reads before anything is
// written to it.
//
// An existing store is opened twice: first read-only (RocksDB replays the
// WAL into memory, writes no file: no new MANIFEST, no obsolete-file
// deletion, no LOG), holding the store's LOCK so no other process changes
// it meanwhile; only if the format and the recorded state (store_state.h)
// check out is it opened read-write. A read-only open keeps the first DB.
#include <algorithm>
#include <filesystem>

#include <rocksdb/env.h>

#include "storage/format_upgrade.h"
#include "storage/graph_store_impl.h"
#include "storage/info_log.h"
#include "storage/key_layout.h"
#include "storage/rocks_status.h"
#include "storage/store_options.h"
#include "storage/store_state.h"

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
    if (handle != nullptr) opened->db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  opened->families.clear();
  if (opened->db) opened->db->Close().PermitUncheckedError();
  opened->db.reset();
}

Status MapOpenError(const rocksdb::Status& status, const std::string& path,
                    const rocksdb::Logger* log = nullptr) {
  if (storage::IsLockFailure(status)) {
    return Status::Busy(path +
                        ": store is in use by another process (pid unknown) — open "
                        "read-only to read it meanwhile, or stop the other process");
  }
  Status mapped = FromRocks(status, path + ": opening store");
  // A table file the MANIFEST lists but the directory lacks; RocksDB says
  // "... While open a file for random read: DIR/000019.ldb: No such file
  // ..." (the legacy name it tried last).
  std::string text = status.ToString();
  if (size_t missing = text.find(".ldb: No such file"); missing != std::string::npos) {
    size_t start = text.rfind('/', missing);
    start = start == std::string::npos ? 0 : start + 1;
    return Status::Corruption(path + ": table file " + text.substr(start, missing - start) +
                              ".sst is missing (the MANIFEST lists it); nothing was opened or "
                              "changed (" +
                              text + ")");
  }
  // RocksDB's WAL reader reports "Corruption: checksum mismatch" without the
  // file; the line it logged names it ("DIR/000012.log: dropping 93 bytes").
  auto* captured = dynamic_cast<const storage::CapturingInfoLog*>(log);
  if (status.IsCorruption() && captured != nullptr) {
    for (std::string line : captured->Lines()) {
      if (line.find(": dropping ") == std::string::npos) continue;
      if (line.front() == '[' && line.find("] ") != std::string::npos) {
        line.erase(0, line.find("] ") + 2);  // RocksDB's "[source.cc:982] "
      }
      return Status::Corruption(mapped.message() + " (" + line +
                                "): a write-ahead log is damaged before its end; nothing was "
                                "opened or changed");
    }
  }
  return mapped;
}

// Holds the store's LOCK (RocksDB's own, through its Env, so a second open
// in this process fails cleanly instead of releasing the first one's lock)
// while the store is checked read-only.
class CheckLock {
 public:
  CheckLock() = default;
  CheckLock(const CheckLock&) = delete;
  CheckLock& operator=(const CheckLock&) = delete;
  ~CheckLock() { Release(); }

  Status Acquire(const std::string& path) {
    rocksdb::Status locked = rocksdb::Env::Default()->LockFile(path + "/LOCK", &lock_);
    if (locked.ok()) return Status::Ok();
    lock_ = nullptr;
    return MapOpenError(locked, path);
  }
  void Release() {
    if (lock_ != nullptr) rocksdb::Env::Default()->UnlockFile(lock_).PermitUncheckedError();
    lock_ = nullptr;
  }

 private:
  rocksdb::FileLock* lock_ = nullptr;
};

// Opens the column families in `names` (ours get our options; any foreign
// family is opened with defaults and closed again at once). Read-only
// unless `writer` is set: then read-write, with the store's LOG and
// `writer` recording its state; a read-write open creates the `layers`
// family a format-2 store lacks and the `waste` family older stores lack
// (Open checked every other one is there).
// A read-only open of such a store leaves families[Cf::kLayers] null, and
// of a store without `waste` families[Cf::kWaste].
Status OpenDb(const std::string& path, const StoreOptions& options, bool create,
              const std::vector<std::string>& names,
              const std::shared_ptr<storage::StoreStateRecorder>& writer, OpenedDb* opened) {
  storage::TunedOptions tuned = storage::BuildOptions(options);
  tuned.db.create_if_missing = create;
  tuned.db.create_missing_column_families = create || writer != nullptr;
  if (writer != nullptr) {
    tuned.db.info_log = storage::NewStoreInfoLog(path);
    tuned.db.listeners.push_back(writer);
  }
  auto listed = [&names](const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  std::vector<size_t> ours;  // descriptors[i] is our family ours[i]
  for (size_t i = 0; i < storage::kCfCount; ++i) {
    if (!create && writer == nullptr && !listed(tuned.families[i].name)) continue;
    descriptors.push_back(tuned.families[i]);
    ours.push_back(i);
  }
  for (const std::string& name : names) {
    bool known = std::any_of(tuned.families.begin(), tuned.families.begin() + storage::kCfCount,
                             [&name](const auto& d) { return d.name == name; });
    if (!known) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status =
      writer == nullptr ? rocksdb::DB::OpenForReadOnly(tuned.db, path, descriptors, &handles, &raw)
                        : rocksdb::DB::Open(tuned.db, path, descriptors, &handles, &raw);
  if (!status.ok()) return MapOpenError(status, path, tuned.db.info_log.get());
  opened->db.reset(raw);
  for (size_t i = ours.size(); i < handles.size(); ++i) {
    opened->db->DestroyColumnFamilyHandle(handles[i]).PermitUncheckedError();
  }
  opened->families.assign(storage::kCfCount, nullptr);
  for (size_t i = 0; i < ours.size(); ++i) opened->families[ours[i]] = handles[i];
  return Status::Ok();
}

bool AllFamiliesEmpty(const OpenedDb& opened) {
  for (rocksdb::ColumnFamilyHandle* handle : opened.families) {
    if (handle == nullptr) continue;
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
  return FromRocks(
      opened.db->Put(write, opened.families[0],
                     rocksdb::Slice(storage::kFormatKey.data(), storage::kFormatKey.size()), value),
      path + ": writing format version");
}

// Checks the format key of an opened store. A store whose creation was cut
// short (all families present and empty) has none: *needs_format is set
// and, for a read-write open, the caller writes it. `*version_out` is the
// store's format (older ones are converted by a read-write open).
Status CheckFormat(const OpenedDb& opened, const std::string& path, bool read_only,
                   bool* needs_format, int* version_out) {
  *needs_format = false;
  *version_out = storage::kFormatVersion;
  std::string value;
  rocksdb::Status got = opened.db->Get(
      rocksdb::ReadOptions(), opened.families[0],
      rocksdb::Slice(storage::kFormatKey.data(), storage::kFormatKey.size()), &value);
  if (got.IsNotFound()) {
    if (!read_only && AllFamiliesEmpty(opened)) {
      *needs_format = true;
      return Status::Ok();
    }
    return Status::Incompatible(path +
                                ": not a blobgraph store (a RocksDB database without "
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
  *version_out = *version;
  return Status::Ok();
}

// `format_version`: the store's format; a read-write open (`writer` set)
// converts an older one before anyone writes, so new records use the
// current format.
Result<std::unique_ptr<GraphStore>> Finish(
    const std::string& path, const StoreOptions& options, OpenedDb opened, int format_version,
    std::shared_ptr<storage::StoreStateRecorder> writer = nullptr) {
  if (writer != nullptr) {
    std::error_code ignored;  // leftovers of an ingestion cut short by a crash
    fs::remove_all(storage::IngestTempDir(path), ignored);
    if (format_version < storage::kFormatVersion) {
      storage::DbHandles handles{opened.db.get(), opened.families, path};
      if (Status upgraded = storage::UpgradeFormat(handles, format_version); !upgraded.ok()) {
        CloseDb(&opened);
        return upgraded;
      }
      format_version = storage::kFormatVersion;
    }
    // What RocksDB recovered is in table files now (it flushes the replayed
    // WAL at open), so the sequence is durable. A failure (full disk) keeps
    // the older record, which only under-states the store.
    Status recorded = writer->Record(opened.db.get(), opened.db->GetLatestSequenceNumber());
    if (!recorded.ok()) {
      rocksdb::Warn(opened.db->GetDBOptions().info_log, "%s", recorded.ToString().c_str());
    }
  }
  std::unique_ptr<GraphStore> store = std::make_unique<storage::GraphStoreImpl>(
      path, options, std::move(opened.db), std::move(opened.families), format_version,
      std::move(writer));
  return store;
}

// Opens read-write what the read-only checks passed. REQUIRES: the store's
// LOCK is free for this process (CheckLock released).
Result<std::unique_ptr<GraphStore>> OpenWriter(const std::string& path, const StoreOptions& options,
                                               bool create, const std::vector<std::string>& names,
                                               const storage::StoreState& recorded,
                                               bool needs_format, int format_version) {
  auto writer = std::make_shared<storage::StoreStateRecorder>(path, recorded);
  OpenedDb opened;
  BLOBGRAPH_RETURN_IF_ERROR(OpenDb(path, options, create, names, writer, &opened));
  if (needs_format) {
    if (Status status = WriteFormat(opened, path); !status.ok()) {
      CloseDb(&opened);
      return status;
    }
  }
  return Finish(path, options, std::move(opened), format_version, std::move(writer));
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
  return OpenWriter(path, options, /*create=*/true, {}, storage::StoreState(),
                    /*needs_format=*/true, storage::kFormatVersion);
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
      return Status::Incompatible(path +
                                  ": not a blobgraph store (the directory holds other "
                                  "files and no store); use an empty or new directory");
    }
    return CreateStore(path, options);
  }

  CheckLock lock;
  if (!options.read_only) BLOBGRAPH_RETURN_IF_ERROR(lock.Acquire(path));
  // Read before RocksDB's files: the record only lags the store, so a store
  // being written by another process meanwhile is still at or past it.
  auto state = storage::ReadStoreState(path);
  if (!state.ok()) return state.status();
  if (*state) BLOBGRAPH_RETURN_IF_ERROR(storage::CheckManifest(path, **state));

  std::vector<std::string> names;
  rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names);
  if (!listed.ok()) return FromRocks(listed, path + ": listing column families");
  for (size_t i = 0; i < storage::kCfCount; ++i) {
    std::string name = storage::CfName(static_cast<Cf>(i));
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    // Formats before 3 have no `layers`: checked against the format below.
    if (static_cast<Cf>(i) == Cf::kLayers) continue;
    // A store written before the `waste` family has none, whatever its
    // format (key_layout.h): a read-write open creates it.
    if (static_cast<Cf>(i) == Cf::kWaste) continue;
    // Not all of our families: look without writing, then refuse.
    storage::TunedOptions tuned = storage::BuildOptions(options);
    rocksdb::DB* raw = nullptr;
    rocksdb::Status peek = rocksdb::DB::OpenForReadOnly(
        rocksdb::Options(tuned.db, tuned.families[0].options), path, &raw);
    if (!peek.ok()) return MapOpenError(peek, path);
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string value;
    bool ours =
        db->Get(rocksdb::ReadOptions(),
                rocksdb::Slice(storage::kFormatKey.data(), storage::kFormatKey.size()), &value)
            .ok() &&
        storage::ParseFormatValue(value).has_value();
    db->Close().PermitUncheckedError();
    if (ours) {
      // NOLINTNEXTLINE(performance-inefficient-string-concatenation): an error, once
      return Status::Corruption(path + ": blobgraph store lacks its column family '" + name + "'");
    }
    return Status::Incompatible(path +
                                ": not a blobgraph store (a RocksDB database without "
                                "blobgraph's column families)");
  }

  OpenedDb looked;
  BLOBGRAPH_RETURN_IF_ERROR(OpenDb(path, options, /*create=*/false, names, nullptr, &looked));
  bool needs_format = false;
  int format_version = storage::kFormatVersion;
  Status checked = CheckFormat(looked, path, options.read_only, &needs_format, &format_version);
  // (A store whose creation was cut short has no format key yet: the
  // writable open below creates whatever family it lacks.)
  if (checked.ok() && !needs_format && format_version >= storage::kLayersFormatVersion &&
      looked.families[static_cast<size_t>(Cf::kLayers)] == nullptr) {
    checked =
        Status::Corruption(path + ": blobgraph store lacks its column family 'layers' (format " +
                           std::to_string(format_version) + " has one)");
  }
  if (checked.ok() && *state) {
    checked = storage::CheckSequence(path, **state, looked.db->GetLatestSequenceNumber());
  }
  if (!checked.ok() || options.read_only) {
    if (checked.ok()) return Finish(path, options, std::move(looked), format_version);
    CloseDb(&looked);
    return checked;
  }
  CloseDb(&looked);
  lock.Release();
  return OpenWriter(path, options, /*create=*/false, names, state->value_or(storage::StoreState()),
                    needs_format, format_version);
}

}  // namespace blobgraph
