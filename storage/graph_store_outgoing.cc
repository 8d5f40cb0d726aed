// GraphStoreImpl's outgoing batch (graph_store.h SealUnsent, ClearOutgoing;
// the records: layers.h, key_layout.h).
#include "storage/corrupt_value.h"
#include "storage/graph_store_impl.h"
#include "storage/layers.h"

namespace blobgraph::storage {
namespace {

std::string IdHex(const std::array<uint8_t, 16>& id) {
  ProfileInfo info;
  info.id = id;
  return info.IdHex();
}

}  // namespace

Result<GraphUpdate> GraphStoreImpl::SealUnsent() {
  BLOBGRAPH_RETURN_IF_ERROR(RefuseIfReadOnly("SealUnsent"));
  // Under the writer mutex: no observation lands between the scan of the
  // unsent layer and the batch that moves it (it would be deleted unsent).
  std::lock_guard<std::mutex> lock(writer_mutex_);
  BLOBGRAPH_RETURN_IF_ERROR(ResumeIfStopped());
  auto outgoing = ReadOwnLayer(handles_, Layer::kOutgoing);
  if (!outgoing.ok()) return outgoing.status();
  if (outgoing->profile.has_value()) return outgoing;  // a retry: the same batch
  if (!outgoing->empty() || outgoing->run_weight != 0) {
    return Status::Corruption(path_ +
                              ": layers: outgoing records without the id record "
                              "('O','i'); run verify");
  }
  std::unique_ptr<WriteSink> batch = NewSink(/*ingest=*/false);
  size_t moved = 0;
  BLOBGRAPH_RETURN_IF_ERROR(
      EmitSealUnsent(handles_, ProfileInfo::NewForThisHost(), batch.get(), &moved));
  if (moved == 0) return GraphUpdate{};
  BLOBGRAPH_RETURN_IF_ERROR(batch->Commit());
  return ReadOwnLayer(handles_, Layer::kOutgoing);
}

Status GraphStoreImpl::ClearOutgoing(const std::array<uint8_t, 16>& id) {
  BLOBGRAPH_RETURN_IF_ERROR(RefuseIfReadOnly("ClearOutgoing"));
  std::lock_guard<std::mutex> lock(writer_mutex_);
  BLOBGRAPH_RETURN_IF_ERROR(ResumeIfStopped());
  std::string value;
  bool found = false;
  const std::string key = LayerKey(Layer::kOutgoing, LayerKind::kOutgoingInfo);
  BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kLayers, key, &value, &found));
  if (!found) {
    return Status::InvalidInput(path_ + ": ClearOutgoing: profile " + IdHex(id) +
                                ": there is no outgoing batch; nothing was changed");
  }
  ProfileInfo info;
  if (!DecodeOutgoingInfo(value, &info)) {
    return Status::Corruption(path_ + ": " + DescribeKey(Cf::kLayers, key) +
                              ": outgoing batch id record does not decode");
  }
  if (info.id != id) {
    return Status::InvalidInput(path_ + ": ClearOutgoing: profile " + IdHex(id) +
                                " is not the outgoing batch (profile " + info.IdHex() +
                                "); nothing was changed");
  }
  std::unique_ptr<WriteSink> batch = NewSink(/*ingest=*/false);
  BLOBGRAPH_RETURN_IF_ERROR(EmitClearOutgoing(handles_, batch.get()));
  return batch->Commit();
}

}  // namespace blobgraph::storage
