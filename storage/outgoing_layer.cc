// The outgoing layer (layers.h, key_layout.h): the unsent observations
// sealed under one profile id until the server acknowledged them, so a
// retried push resends the same id and the server applies it once.
#include <memory>

#include "storage/layers.h"
#include "storage/rocks_status.h"

namespace blobgraph::storage {
namespace {

bool StartsWith(const rocksdb::Slice& key, std::string_view prefix) {
  return key.size() >= prefix.size() && std::string_view(key.data(), prefix.size()) == prefix;
}

}  // namespace

Status EmitSealUnsent(const DbHandles& handles, const ProfileInfo& info, WriteSink* batch,
                      size_t* moved) {
  *moved = 0;
  if (handles.family(Cf::kLayers) == nullptr) return Status::Ok();
  rocksdb::ReadOptions read;
  read.fill_cache = false;  // a scan: keep the point-lookup working set
  std::unique_ptr<rocksdb::Iterator> it(handles.db->NewIterator(read, handles.family(Cf::kLayers)));
  const std::string prefix(1, static_cast<char>(Layer::kUnsent));
  std::string outgoing;
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
    // The value as read has its merge operands resolved: the Put carries the
    // whole record, and the Delete of the 'U' key drops its operands too.
    outgoing.assign(it->key().data(), it->key().size());
    outgoing[0] = static_cast<char>(Layer::kOutgoing);
    BLOBGRAPH_RETURN_IF_ERROR(batch->Put(Cf::kLayers, outgoing, View(it->value())));
    BLOBGRAPH_RETURN_IF_ERROR(batch->Delete(Cf::kLayers, View(it->key())));
    ++*moved;
  }
  BLOBGRAPH_RETURN_IF_ERROR(
      FromRocks(it->status(), handles.path + ": SealUnsent: scanning the unsent layer"));
  if (*moved == 0) return Status::Ok();
  std::string value;
  EncodeOutgoingInfo(info, &value);
  return batch->Put(Cf::kLayers, LayerKey(Layer::kOutgoing, LayerKind::kOutgoingInfo), value);
}

Status EmitClearOutgoing(const DbHandles& handles, WriteSink* batch) {
  if (handles.family(Cf::kLayers) == nullptr) return Status::Ok();
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(handles.db->NewIterator(read, handles.family(Cf::kLayers)));
  const std::string prefix(1, static_cast<char>(Layer::kOutgoing));
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
    BLOBGRAPH_RETURN_IF_ERROR(batch->Delete(Cf::kLayers, View(it->key())));
  }
  return FromRocks(it->status(), handles.path + ": ClearOutgoing: scanning the outgoing layer");
}

}  // namespace blobgraph::storage
