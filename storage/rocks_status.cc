#include "storage/rocks_status.h"

namespace blobgraph::storage {

bool IsLockFailure(const rocksdb::Status& status) {
  if (!status.IsIOError() && !status.IsBusy()) return false;
  // Another process: "While lock file: DIR/LOCK: Resource temporarily
  // unavailable"; this process: "lock hold by current process".
  std::string text = status.ToString();
  return text.find("lock file") != std::string::npos || text.find("LOCK") != std::string::npos ||
         text.find("lock hold by current process") != std::string::npos;
}

Status FromRocks(const rocksdb::Status& status, const std::string& context) {
  if (status.ok()) return Status::Ok();
  std::string message = context + ": " + status.ToString();
  if (status.IsCorruption()) return Status::Corruption(std::move(message));
  if (IsLockFailure(status)) return Status::Busy(std::move(message));
  if (status.IsNotFound()) return Status::NotFound(std::move(message));
  if (status.IsInvalidArgument() || status.IsNotSupported()) {
    return Status::InvalidInput(std::move(message));
  }
  return Status::IOError(std::move(message));
}

}  // namespace blobgraph::storage
