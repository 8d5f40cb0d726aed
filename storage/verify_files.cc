// GraphStoreImpl::VerifyFiles: the store's files against what RocksDB's
// MANIFEST and the store's state file (store_state.h) say is there. Part of
// Verify(); kept apart from the record checks of verify.cc.
//
// With max_open_files = -1 RocksDB holds every table file open, so a file
// deleted or cut short while the store is open still reads fine until the
// store is reopened — and then it is lost. This makes it a problem now.
#include <filesystem>

#include <rocksdb/metadata.h>

#include "storage/graph_store_impl.h"
#include "storage/store_state.h"

namespace blobgraph::storage {

Status GraphStoreImpl::VerifyFiles(std::vector<std::string>* problems) const {
  std::vector<rocksdb::LiveFileMetaData> live;
  db_->GetLiveFilesMetaData(&live);
  for (const rocksdb::LiveFileMetaData& file : live) {
    std::string name = file.directory + "/" + file.relative_filename;
    std::error_code error;
    uintmax_t bytes = std::filesystem::file_size(name, error);
    if (error) {
      problems->push_back(name + ": table file of " + file.column_family_name + " is missing (" +
                          error.message() + "); the MANIFEST lists it with " +
                          std::to_string(file.size) + " bytes");
    } else if (bytes != file.size) {
      problems->push_back(name + ": table file of " + file.column_family_name + " has " +
                          std::to_string(bytes) + " bytes; the MANIFEST lists it with " +
                          std::to_string(file.size));
    }
  }
  auto state = ReadStoreState(path_);
  if (!state.ok()) {
    problems->push_back(state.status().message());
  } else if (*state) {
    if (Status manifest = CheckManifest(path_, **state); !manifest.ok()) {
      problems->push_back(manifest.message());
    }
  }
  return Status::Ok();
}

}  // namespace blobgraph::storage
