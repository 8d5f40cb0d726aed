// ReadStream and LooksLikeStream: the untrusted side of the stream codec.
#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cerrno>
#include <cstring>

#include "schema/blobgraph.capnp.h"
#include "schema/capnp_convert.h"
#include "schema/capnp_errors.h"
#include "schema/input_file.h"
#include "schema/reader_limits.h"
#include "schema/stream_codec.h"

namespace blobgraph::schema {
namespace {

// Reads one message's framing and segments into a reused buffer, so the
// size is checked against the reader limits before anything is allocated and
// a short file is reported with its byte counts (InputStreamMessageReader
// would read lazily and fail in its destructor instead).
class FramedReader {
 public:
  explicit FramedReader(InputFile& in) : in_(in) {}
  uint64_t offset() const { return in_.offset(); }
  Result<bool> AtEnd() {
    auto next = in_.Peek(1);
    if (!next.ok()) return next.status();
    return next->empty();
  }

  // Reads the next message. Sets *problem (else leaves it empty) on bad
  // framing; a read error of the input comes back as the Status.
  Status Next(std::unique_ptr<capnp::SegmentArrayMessageReader>* out, std::string* problem) {
    uint32_t first[2];
    auto got = in_.ReadFull(first, 8);
    if (!got.ok()) return got.status();
    if (*got < 8) {
      *problem = "truncated message: segment table has " + std::to_string(*got) +
                 " bytes, expected at least 8";
      return Status::Ok();
    }
    uint64_t segments = uint64_t{first[0]} + 1;
    if (segments > kMaxSegments) {
      *problem = "message claims " + std::to_string(segments) + " segments, at most " +
                 std::to_string(kMaxSegments);
      return Status::Ok();
    }
    std::vector<uint32_t> sizes(segments);
    sizes[0] = first[1];
    size_t rest_bytes = (segments - 1 + (segments % 2 == 0 ? 1 : 0)) * 4;
    std::vector<uint32_t> rest(rest_bytes / 4);
    if (rest_bytes > 0) {
      got = in_.ReadFull(rest.data(), rest_bytes);
      if (!got.ok()) return got.status();
      if (*got < rest_bytes) {
        *problem = "truncated message: segment table has " + std::to_string(8 + *got) +
                   " bytes, expected " + std::to_string(8 + rest_bytes);
        return Status::Ok();
      }
    }
    uint64_t words = 0;
    for (uint64_t i = 0; i < segments; ++i) {
      if (i > 0) sizes[i] = rest[i - 1];
      words += sizes[i];
    }
    if (words > kMaxMessageWords) {
      *problem = "message of " + std::to_string(words * 8) + " bytes exceeds the limit of " +
                 std::to_string(kMaxMessageWords * 8);
      return Status::Ok();
    }
    if (buffer_.size() < words) buffer_ = kj::heapArray<capnp::word>(words);
    got = in_.ReadFull(buffer_.begin(), words * 8);
    if (!got.ok()) return got.status();
    if (*got < words * 8) {
      *problem = "truncated message: " + std::to_string(*got) +
                 " bytes of segment data, expected " + std::to_string(words * 8);
      return Status::Ok();
    }
    segments_.resize(segments);
    const capnp::word* at = buffer_.begin();
    for (uint64_t i = 0; i < segments; ++i) {
      segments_[i] = kj::ArrayPtr<const capnp::word>(at, sizes[i]);
      at += sizes[i];
    }
    *out = std::make_unique<capnp::SegmentArrayMessageReader>(
        kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>>(segments_.data(), segments_.size()),
        UntrustedReaderOptions());
    return Status::Ok();
  }

 private:
  static constexpr uint64_t kMaxSegments = 512;

  InputFile& in_;
  kj::Array<capnp::word> buffer_;
  std::vector<kj::ArrayPtr<const capnp::word>> segments_;
};

// Reads one stream; holds the position for error messages.
class StreamReader {
 public:
  StreamReader(const std::string& path, std::optional<StreamContent> expected,
               const StreamVisitor& visitor)
      : path_(path), expected_(expected), visitor_(visitor) {}

  std::string Where() const {
    return path_ + ": message " + std::to_string(message_index_) + " (offset " +
           std::to_string(message_offset_) + ")";
  }

  Status Run(InputFile& input) {
    FramedReader framed(input);
    for (;; ++message_index_) {
      message_offset_ = framed.offset();
      auto at_end = framed.AtEnd();
      if (!at_end.ok()) return at_end.status();
      if (*at_end) {
        if (ended_) return Status::Ok();
        return Status::InvalidInput(
            path_ + ": truncated stream: ends at offset " + std::to_string(message_offset_) +
            " after " + std::to_string(message_index_) + " messages without an end trailer");
      }
      if (ended_) return Error("data after the end trailer");
      std::unique_ptr<capnp::SegmentArrayMessageReader> message;
      std::string problem;
      BLOBGRAPH_RETURN_IF_ERROR(framed.Next(&message, &problem));
      if (!problem.empty()) return Error(problem);
      BLOBGRAPH_RETURN_IF_ERROR(Dispatch(message->getRoot<StreamMessage>()));
    }
  }

 private:
  Status Error(const std::string& what) const {
    return Status::InvalidInput(Where() + ": " + what);
  }

  // A decoder's error (capnp_convert.h), placed.
  Status Placed(const Status& status) const {
    return status.ok() ? status : status.WithContext(Where());
  }

  Status Dispatch(StreamMessage::Reader root) {
    auto which = root.which();
    if (message_index_ == 0) {
      if (which != StreamMessage::HEADER) return Error("not a blobgraph stream: no header");
      return Header(root.getHeader());
    }
    switch (which) {
      case StreamMessage::HEADER:
        return Error("a second header");
      case StreamMessage::FUNCTIONS:
        return Functions(root.getFunctions());
      case StreamMessage::EDGES:
        return Edges(root.getEdges());
      case StreamMessage::NAMES:
        return Names(root.getNames());
      case StreamMessage::EVENTS:
        return Events(root.getEvents());
      case StreamMessage::LOADS:
        return Loads(root.getLoads());
      case StreamMessage::RUN_WEIGHT:
        return RunWeight(root.getRunWeight());
      case StreamMessage::END: {
        uint64_t claimed = root.getEnd().getEntries();
        if (claimed != entries_) {
          return Error("end trailer counts " + std::to_string(claimed) +
                       " entries, the stream has " + std::to_string(entries_));
        }
        ended_ = true;
        return Status::Ok();
      }
    }
    return Error("unknown message type " + std::to_string(static_cast<unsigned>(which)));
  }

  Status Header(StreamHeader::Reader header) {
    if (header.getMagic() != K_FORMAT_MAGIC.get())
      return Error("not a blobgraph stream: bad magic");
    version_ = header.getVersion();
    if (version_ < K_FORMAT_VERSION_BASE || version_ > K_FORMAT_VERSION) {
      return Error("unsupported stream version " + std::to_string(version_) + ", expected " +
                   std::to_string(K_FORMAT_VERSION_BASE) + " to " +
                   std::to_string(K_FORMAT_VERSION));
    }
    switch (header.getKind()) {
      case StreamKind::DEPENDENCIES:
        content_ = StreamContent::kDependencies;
        break;
      case StreamKind::PROFILE:
        content_ = StreamContent::kProfile;
        break;
      case StreamKind::TRACE:
        content_ = StreamContent::kTrace;
        break;
      default:
        return Error("unknown stream kind " +
                     std::to_string(static_cast<unsigned>(header.getKind())));
    }
    if (expected_ && *expected_ != content_) {
      return Error(std::string("a ") + StreamContentName(content_) + " stream, expected a " +
                   StreamContentName(*expected_) + " stream");
    }
    std::optional<ProfileInfo> profile;
    if (content_ == StreamContent::kProfile) {
      if (!header.hasProfile()) return Error("profile stream without a profile identity");
      auto identity = DecodeIdentity(header.getProfile());
      if (!identity.ok()) return Placed(identity.status());
      profile = std::move(identity).value();
    }
    if (visitor_.on_header) return visitor_.on_header(content_, profile);
    return Status::Ok();
  }

  Status CheckChunk(StreamContent wanted, const char* what, size_t size) {
    if (content_ != wanted) {
      return Error(std::string("a ") + what + " chunk in a " + StreamContentName(content_) +
                   " stream");
    }
    BLOBGRAPH_RETURN_IF_ERROR(Placed(CheckChunkSize(what, size)));
    entries_ += size;
    return Status::Ok();
  }

  Status Functions(capnp::List<Function>::Reader list) {
    BLOBGRAPH_RETURN_IF_ERROR(CheckChunk(StreamContent::kDependencies, "functions", list.size()));
    functions_.resize(list.size());
    size_t call_sites = 0;
    for (size_t i = 0; i < list.size(); ++i) {
      auto entry = list[i];
      auto callees = entry.getCallees();
      call_sites += callees.size();
      if (call_sites > K_MAX_CHUNK_CALL_SITES) {
        return Error("functions chunk has more than " + std::to_string(K_MAX_CHUNK_CALL_SITES) +
                     " call sites");
      }
      Status decoded = DecodeFunction(entry, &functions_[i]);
      if (!decoded.ok()) return Placed(decoded.WithContext(EntryName("functions", i)));
    }
    if (visitor_.on_functions) return visitor_.on_functions(functions_);
    return Status::Ok();
  }

  Status Edges(capnp::List<ProfileEdge>::Reader list) {
    BLOBGRAPH_RETURN_IF_ERROR(CheckChunk(StreamContent::kProfile, "edges", list.size()));
    edges_.clear();
    BLOBGRAPH_RETURN_IF_ERROR(Placed(DecodeEdges(list, &edges_)));
    if (visitor_.on_edges) return visitor_.on_edges(edges_);
    return Status::Ok();
  }

  Status Names(capnp::List<NamedFunction>::Reader list) {
    BLOBGRAPH_RETURN_IF_ERROR(CheckChunk(StreamContent::kProfile, "names", list.size()));
    names_.clear();
    BLOBGRAPH_RETURN_IF_ERROR(Placed(DecodeNames(list, &names_)));
    if (visitor_.on_names) return visitor_.on_names(names_);
    return Status::Ok();
  }

  Status Events(capnp::List<CallEvent>::Reader list) {
    BLOBGRAPH_RETURN_IF_ERROR(CheckChunk(StreamContent::kTrace, "events", list.size()));
    events_.clear();
    BLOBGRAPH_RETURN_IF_ERROR(Placed(DecodeEvents(list, &events_)));
    if (visitor_.on_events) return visitor_.on_events(events_);
    return Status::Ok();
  }

  // Version 2 profile data: a version 1 stream cannot hold it.
  Status CheckLoadsAllowed(const char* what) const {
    if (content_ == StreamContent::kProfile && version_ < K_FORMAT_VERSION) {
      return Error(std::string("a ") + what + " in a version " + std::to_string(version_) +
                   " stream (load statistics came with version " +
                   std::to_string(K_FORMAT_VERSION) + ")");
    }
    return Status::Ok();
  }

  Status Loads(capnp::List<FunctionLoad>::Reader list) {
    BLOBGRAPH_RETURN_IF_ERROR(CheckChunk(StreamContent::kProfile, "loads", list.size()));
    BLOBGRAPH_RETURN_IF_ERROR(CheckLoadsAllowed("loads chunk"));
    loads_.clear();
    BLOBGRAPH_RETURN_IF_ERROR(Placed(DecodeLoads(list, &loads_)));
    if (visitor_.on_loads) return visitor_.on_loads(loads_);
    return Status::Ok();
  }

  Status RunWeight(uint64_t run_weight) {
    if (content_ != StreamContent::kProfile) {
      return Error(std::string("a run weight in a ") + StreamContentName(content_) + " stream");
    }
    BLOBGRAPH_RETURN_IF_ERROR(CheckLoadsAllowed("run weight"));
    if (seen_run_weight_) return Error("a second run weight");
    seen_run_weight_ = true;
    ++entries_;
    if (visitor_.on_run_weight) return visitor_.on_run_weight(run_weight);
    return Status::Ok();
  }

  const std::string& path_;
  std::optional<StreamContent> expected_;
  const StreamVisitor& visitor_;
  StreamContent content_ = StreamContent::kTrace;
  uint64_t message_index_ = 0;
  uint64_t message_offset_ = 0;
  uint64_t entries_ = 0;
  bool ended_ = false;
  uint32_t version_ = 0;
  bool seen_run_weight_ = false;
  // Reused across chunks.
  std::vector<FunctionDeps> functions_;
  std::vector<EdgeDelta> edges_;
  std::vector<NamedHash> names_;
  std::vector<TraceEvent> events_;
  std::vector<LoadWeights> loads_;
};

}  // namespace

Status ReadStream(InputFile& input, std::optional<StreamContent> expected,
                  const StreamVisitor& visitor) {
  StreamReader reader(input.name(), expected, visitor);
  return GuardCapnp(
      Status::Code::kInvalidInput, [&] { return reader.Where(); },
      [&] { return reader.Run(input); });
}

Status ReadStream(const std::string& path, std::optional<StreamContent> expected,
                  const StreamVisitor& visitor) {
  auto input = InputFile::Open(path);
  if (!input.ok()) return input.status();
  return ReadStream(**input, expected, visitor);
}

namespace {

// What the first message of `prefix` says, if it is a blobgraph stream header.
struct HeaderProbe {
  bool is_stream = false;                // a header message with our magic
  std::optional<StreamContent> content;  // its kind, if this version knows it
};

HeaderProbe ProbeHeader(std::span<const uint8_t> prefix) {
  HeaderProbe probe;
  // Unpacked framing: u32 (segments - 1), then u32 sizes, padded to 8 bytes.
  if (prefix.size() < 8) return probe;
  uint32_t segments_minus_one;
  std::memcpy(&segments_minus_one, prefix.data(), 4);
  if (segments_minus_one > 3) return probe;  // a header message is tiny
  size_t table_words = (segments_minus_one + 2) / 2;
  if (prefix.size() < table_words * 8) return probe;
  uint64_t words = table_words;
  for (uint32_t i = 0; i <= segments_minus_one; ++i) {
    uint32_t size;
    std::memcpy(&size, prefix.data() + 4 + 4 * i, 4);
    words += size;
  }
  if (words * 8 > prefix.size()) return probe;
  kj::Array<capnp::word> copy = kj::heapArray<capnp::word>(words);
  std::memcpy(copy.begin(), prefix.data(), words * 8);
  Status status = GuardCapnp(
      Status::Code::kInvalidInput, [] { return std::string("probe"); },
      [&] {
        capnp::FlatArrayMessageReader message(copy, UntrustedReaderOptions());
        auto root = message.getRoot<StreamMessage>();
        if (!root.isHeader() || root.getHeader().getMagic() != K_FORMAT_MAGIC.get()) {
          return Status::Ok();
        }
        probe.is_stream = true;
        switch (root.getHeader().getKind()) {
          case StreamKind::DEPENDENCIES:
            probe.content = StreamContent::kDependencies;
            break;
          case StreamKind::PROFILE:
            probe.content = StreamContent::kProfile;
            break;
          case StreamKind::TRACE:
            probe.content = StreamContent::kTrace;
            break;
          default:
            break;
        }
        return Status::Ok();
      });
  if (!status.ok()) return HeaderProbe{};
  return probe;
}

}  // namespace

std::optional<StreamContent> PeekStreamContent(std::span<const uint8_t> prefix) {
  return ProbeHeader(prefix).content;
}

bool LooksLikeStream(std::span<const uint8_t> prefix) { return ProbeHeader(prefix).is_stream; }

}  // namespace blobgraph::schema
