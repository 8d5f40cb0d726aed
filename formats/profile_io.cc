#include "blobgraph/profile_io.h"
#include "formats/open_input.h"

#include "core/quote.h"
#include "formats/file_io.h"
#include "formats/profile_counts.h"
#include "formats/profile_text.h"
#include "formats/text_lines.h"
#include "schema/input_file.h"
#include "schema/output_file.h"
#include "schema/profile_json.h"
#include "schema/stream_codec.h"

namespace blobgraph::formats {
namespace {

// How each streaming writer is opened (with the profile's identity, which
// both put in their header) and how it takes a function.
Result<std::unique_ptr<schema::StreamWriter>> OpenInner(schema::StreamWriter*,
                                                        std::unique_ptr<schema::OutputFile> out,
                                                        const ProfileInfo& profile) {
  return schema::StreamWriter::Open(std::move(out), schema::StreamContent::kProfile, profile);
}
Status AddFunctionTo(schema::StreamWriter& writer, const BlobHash& hash, std::string_view name) {
  return writer.AddName(hash, name);
}
Result<std::unique_ptr<schema::JsonProfileWriter>> OpenInner(
    schema::JsonProfileWriter*, std::unique_ptr<schema::OutputFile> out,
    const ProfileInfo& profile) {
  return schema::JsonProfileWriter::Open(std::move(out), profile);
}
Status AddFunctionTo(schema::JsonProfileWriter& writer, const BlobHash& hash,
                     std::string_view name) {
  return writer.AddFunction(hash, name);
}

// A ProfileWriter over the capnp stream or JSON writer. Both need the
// identity in their header, so the inner writer starts at Begin(); the output
// (a temporary file beside the path) is created at open, so an unwritable
// path fails early, and nothing replaces the path before Finish().
template <typename Inner>
class DelegatingProfileWriter : public ProfileWriter {
 public:
  explicit DelegatingProfileWriter(std::unique_ptr<schema::OutputFile> out)
      : path_(out->path()), out_(std::move(out)) {}
  Status Begin(const ProfileInfo& profile) override {
    if (writer_ || !out_) return Status::InvalidInput(path_ + ": Begin() called twice");
    auto writer = OpenInner(static_cast<Inner*>(nullptr), std::move(out_), profile);
    if (!writer.ok()) return writer.status();
    writer_ = std::move(*writer);
    return Status::Ok();
  }
  Status AddEdge(const EdgeDelta& edge) override {
    BLOBGRAPH_RETURN_IF_ERROR(CheckBegun());
    return writer_->AddEdge(edge);
  }
  Status AddFunction(const BlobHash& hash, const std::optional<std::string>& name) override {
    BLOBGRAPH_RETURN_IF_ERROR(CheckBegun());
    return AddFunctionTo(*writer_, hash, name ? *name : std::string());
  }
  Status AddLoad(const LoadWeights& load) override {
    BLOBGRAPH_RETURN_IF_ERROR(CheckBegun());
    return writer_->AddLoad(load);
  }
  Status SetRunWeight(uint64_t run_weight) override {
    BLOBGRAPH_RETURN_IF_ERROR(CheckBegun());
    return writer_->SetRunWeight(run_weight);
  }
  Status Finish() override {
    BLOBGRAPH_RETURN_IF_ERROR(CheckBegun());
    return writer_->Finish();
  }

 private:
  Status CheckBegun() const {
    if (!writer_) return Status::InvalidInput(path_ + ": Begin() must come first");
    return Status::Ok();
  }
  std::string path_;
  std::unique_ptr<schema::OutputFile> out_;  // handed to writer_ at Begin()
  std::unique_ptr<Inner> writer_;
};

template <typename Inner>
Result<std::unique_ptr<ProfileWriter>> OpenDelegating(const std::string& path) {
  auto out = schema::OutputFile::Open(path);
  if (!out.ok()) return out.status();
  return std::unique_ptr<ProfileWriter>(new DelegatingProfileWriter<Inner>(std::move(*out)));
}

// Fills a GraphUpdate from a stream-shaped visit (capnp stream or JSON).
schema::StreamVisitor UpdateFiller(GraphUpdate* out) {
  schema::StreamVisitor visitor;
  visitor.on_header = [out](schema::StreamContent, const std::optional<ProfileInfo>& profile) {
    out->profile = profile;
    return Status::Ok();
  };
  visitor.on_edges = [out](std::span<const EdgeDelta> edges) {
    out->edges.insert(out->edges.end(), edges.begin(), edges.end());
    return Status::Ok();
  };
  visitor.on_names = [out](std::span<const schema::NamedHash> names) {
    for (const schema::NamedHash& named : names) {
      if (named.name.empty()) {
        out->functions.push_back(named.hash);
      } else {
        out->names.emplace_back(named.hash, named.name);
      }
    }
    return Status::Ok();
  };
  visitor.on_loads = [out](std::span<const LoadWeights> loads) {
    out->loads.insert(out->loads.end(), loads.begin(), loads.end());
    return Status::Ok();
  };
  visitor.on_run_weight = [out](uint64_t run_weight) {
    out->run_weight = run_weight;
    return Status::Ok();
  };
  return visitor;
}

Result<ProfileFormat> DetectProfileFormat(schema::InputFile& input) {
  const std::string& path = input.name();
  auto prefix = internal::PeekPrefix(input);
  if (!prefix.ok()) return prefix.status();
  if (schema::LooksLikeStream(*prefix)) return ProfileFormat::kCapnp;
  std::string_view text(reinterpret_cast<const char*>(prefix->data()), prefix->size());
  if (text.substr(0, internal::kTextProfileMagic.size()) == internal::kTextProfileMagic) {
    return ProfileFormat::kText;
  }
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') return ProfileFormat::kJson;
  return Status::InvalidInput(path +
                              ": not a profile: neither a blobgraph stream, a JSON "
                              "document nor a text profile ('" +
                              std::string(internal::kTextProfileMagic) + "' first line)");
}

}  // namespace

const char* ProfileFormatName(ProfileFormat format) {
  switch (format) {
    case ProfileFormat::kAuto:
      return "auto";
    case ProfileFormat::kCapnp:
      return "capnp";
    case ProfileFormat::kText:
      return "text";
    case ProfileFormat::kJson:
      return "json";
  }
  return "unknown";
}

Result<ProfileFormat> ParseProfileFormat(std::string_view name) {
  if (name == "capnp") return ProfileFormat::kCapnp;
  if (name == "text") return ProfileFormat::kText;
  if (name == "json") return ProfileFormat::kJson;
  if (name == "auto") return ProfileFormat::kAuto;
  return Status::InvalidInput("profile format " + QuoteForMessage(name) +
                              " is not one of capnp, text, json");
}

Result<std::unique_ptr<ProfileWriter>> OpenProfileWriter(const std::string& path,
                                                         ProfileFormat format) {
  switch (format) {
    case ProfileFormat::kText:
      return internal::OpenTextProfileWriter(path);
    case ProfileFormat::kCapnp:
      return OpenDelegating<schema::StreamWriter>(path);
    case ProfileFormat::kJson:
      return OpenDelegating<schema::JsonProfileWriter>(path);
    case ProfileFormat::kAuto:
      break;
  }
  return Status::InvalidInput(path + ": a profile writer needs a format (capnp, text or json)");
}

Result<GraphUpdate> ReadProfile(const std::string& path, ProfileFormat format) {
  auto input = schema::InputFile::Open(path);
  if (!input.ok()) return input.status();
  return ReadProfile(**input, format);
}

Result<GraphUpdate> ReadProfile(schema::InputFile& input, ProfileFormat format) {
  const std::string& path = input.name();
  if (format == ProfileFormat::kAuto) {
    auto detected = DetectProfileFormat(input);
    if (!detected.ok()) return detected.status();
    format = *detected;
  }
  GraphUpdate update;
  Status status;
  switch (format) {
    case ProfileFormat::kText:
      status = internal::ReadTextProfile(input, &update);
      break;
    case ProfileFormat::kCapnp:
      status = schema::ReadStream(input, schema::StreamContent::kProfile, UpdateFiller(&update));
      break;
    case ProfileFormat::kJson:
      status = schema::ReadJsonProfile(input, UpdateFiller(&update));
      break;
    case ProfileFormat::kAuto:
      status = Status::InvalidInput(path + ": unknown profile format");
      break;
  }
  if (!status.ok()) return status;
  // Counts that overflow within the file are refused here, naming the entry
  // (the store would refuse them too, but could only name the edge).
  BLOBGRAPH_RETURN_IF_ERROR(CheckProfileCounts(path, update));
  return update;
}

}  // namespace blobgraph::formats
