#include "formats/profile_text.h"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "core/hex.h"
#include "core/quote.h"
#include "formats/text_lines.h"
#include "schema/output_file.h"
#include "schema/stream_codec.h"

namespace blobgraph::formats::internal {
namespace {

class TextProfileWriter : public ProfileWriter {
 public:
  explicit TextProfileWriter(std::unique_ptr<schema::OutputFile> out)
      : path_(out->path()), out_(std::move(out)) {}

  Status Begin(const ProfileInfo& profile) override {
    if (begun_) return Status::InvalidInput(path_ + ": Begin() called twice");
    begun_ = true;
    return Put(std::string(kTextProfileMagic) + " version=" + std::to_string(kTextProfileVersion) +
               " id=" + profile.IdHex() + " host=" + EscapeToken(profile.source_host) +
               " created_ms=" + std::to_string(profile.created_unix_ms) + "\n");
  }

  Status AddEdge(const EdgeDelta& edge) override {
    BLOBGRAPH_RETURN_IF_ERROR(CheckBegun());
    char line[2 * BlobHash::kHexSize + 48];
    edge.caller.WriteHex(line);
    line[BlobHash::kHexSize] = ' ';
    edge.callee.WriteHex(line + BlobHash::kHexSize + 1);
    size_t size = 2 * BlobHash::kHexSize + 1;
    size += static_cast<size_t>(std::snprintf(line + size, sizeof(line) - size, " %llu %llu\n",
                                              static_cast<unsigned long long>(edge.static_count),
                                              static_cast<unsigned long long>(edge.dynamic_count)));
    return Put({line, size});
  }

  Status AddFunction(const BlobHash& hash, const std::optional<std::string>& name) override {
    BLOBGRAPH_RETURN_IF_ERROR(CheckBegun());
    if (name) BLOBGRAPH_RETURN_IF_ERROR(schema::CheckName(path_, hash, *name));
    std::string line = "fn ";
    line += hash.ToHex();
    if (name && !name->empty()) {
      line += ' ';
      line += EscapeToken(*name);
    }
    line += '\n';
    return Put(line);
  }

  Status AddLoad(const LoadWeights& load) override {
    BLOBGRAPH_RETURN_IF_ERROR(CheckBegun());
    return Put("load " + load.hash.ToHex() + " " + std::to_string(load.run_weight) + " " +
               std::to_string(load.position_weight) + "\n");
  }

  Status SetRunWeight(uint64_t run_weight) override {
    BLOBGRAPH_RETURN_IF_ERROR(CheckBegun());
    if (wrote_run_weight_) return Status::InvalidInput(path_ + ": run weight set twice");
    wrote_run_weight_ = true;
    return Put("run_weight " + std::to_string(run_weight) + "\n");
  }

  Status Finish() override {
    BLOBGRAPH_RETURN_IF_ERROR(CheckBegun());
    std::unique_ptr<schema::OutputFile> out = std::move(out_);
    return out->Commit();
  }

 private:
  Status CheckBegun() const {
    if (!begun_) return Status::InvalidInput(path_ + ": Begin() must come first");
    if (!out_) return Status::InvalidInput(path_ + ": write after Finish()");
    return Status::Ok();
  }
  Status Put(std::string_view text) { return out_->Write(text); }

  std::string path_;
  // Destroyed unfinished, the OutputFile removes its temporary file quietly.
  std::unique_ptr<schema::OutputFile> out_;
  bool begun_ = false;
  bool wrote_run_weight_ = false;
};

// What the reader knows beyond the update: the header's version and whether
// the run weight line was seen (it may come once).
struct TextState {
  uint64_t version = 0;
  bool seen_run_weight = false;
};

Status ParseHeader(LineReader& reader, std::string_view line, ProfileInfo* profile,
                   TextState* state) {
  if (line.substr(0, kTextProfileMagic.size()) != kTextProfileMagic) {
    return reader.Error("not a text profile: the first line must start with '" +
                        std::string(kTextProfileMagic) + "'");
  }
  Fields fields = SplitFields(line.substr(kTextProfileMagic.size()));
  bool seen_version = false, seen_id = false, seen_host = false, seen_created = false;
  for (size_t i = 0; i < fields.count; ++i) {
    std::string_view field = fields.text[i];
    size_t column = fields.column[i] + kTextProfileMagic.size();
    size_t equals = field.find('=');
    if (equals == std::string_view::npos) {
      return reader.Error(column, "header field " + QuoteForMessage(field) + " is not KEY=VALUE");
    }
    std::string_view key = field.substr(0, equals), value = field.substr(equals + 1);
    if (key == "version") {
      if (value != "1" && value != "2") {
        return reader.Error(
            column, "unsupported profile version " + QuoteForMessage(value) + ", expected 1 or 2");
      }
      state->version = value[0] - '0';
      seen_version = true;
    } else if (key == "id") {
      auto id = ProfileInfo::ParseId(value);
      if (!id.ok()) return reader.Error(column, id.status().message());
      profile->id = *id;
      seen_id = true;
    } else if (key == "host") {
      auto host = UnescapeToken(value);
      if (!host.ok()) return reader.Error(column, "host: " + host.status().message());
      if (host->find('\0') != std::string::npos) {
        return reader.Error(column, "host: %00 (NUL), which Cap'n Proto Text cannot carry");
      }
      profile->source_host = *host;
      seen_host = true;
    } else if (key == "created_ms") {
      int64_t created = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), created);
      if (error != std::errc() || end != value.data() + value.size() || value.empty()) {
        return reader.Error(column,
                            "created_ms " + QuoteForMessage(value) + " is not a 64-bit integer");
      }
      profile->created_unix_ms = created;
      seen_created = true;
    } else {
      return reader.Error(column, "unknown header field " + QuoteForMessage(key));
    }
  }
  if (fields.too_many) return reader.Error(fields.extra_column, "too many header fields");
  if (!seen_version || !seen_id || !seen_host || !seen_created) {
    return reader.Error("profile header needs version=, id=, host= and created_ms=");
  }
  return Status::Ok();
}

// `load HASH RUN_WEIGHT POSITION_WEIGHT` and `run_weight N` (version 2).
Status ParseLoadLine(LineReader& reader, const Fields& fields, TextState* state, GraphUpdate* out) {
  bool load = fields.text[0] == "load";
  if (state->version < 2) {
    return reader.Error(fields.column[0], std::string("'") + std::string(fields.text[0]) +
                                              "' line in a version " +
                                              std::to_string(state->version) +
                                              " profile (load statistics came with version 2)");
  }
  if (load) {
    if (fields.count != 4) {
      return reader.Error(fields.column[0], "expected 'load HASH RUN_WEIGHT POSITION_WEIGHT'");
    }
    auto hash = BlobHash::Parse(fields.text[1]);
    if (!hash.ok()) return reader.Error(fields.column[1], "function " + hash.status().message());
    auto run_weight = ParseUnsigned(fields.text[2], "run weight");
    if (!run_weight.ok()) return reader.Error(fields.column[2], run_weight.status().message());
    auto position_weight = ParseUnsigned(fields.text[3], "position weight");
    if (!position_weight.ok()) {
      return reader.Error(fields.column[3], position_weight.status().message());
    }
    if (*run_weight == 0 && *position_weight != 0) {
      return reader.Error(fields.column[3], "function " + hash->ToHex() + ": position weight " +
                                                std::to_string(*position_weight) +
                                                " without a run weight (no run loaded it)");
    }
    out->loads.push_back({*hash, *run_weight, *position_weight});
    return Status::Ok();
  }
  if (fields.count != 2) return reader.Error(fields.column[0], "expected 'run_weight N'");
  if (state->seen_run_weight) return reader.Error(fields.column[0], "a second run_weight line");
  auto run_weight = ParseUnsigned(fields.text[1], "run weight");
  if (!run_weight.ok()) return reader.Error(fields.column[1], run_weight.status().message());
  state->seen_run_weight = true;
  out->run_weight = *run_weight;
  return Status::Ok();
}

Status ParseBody(LineReader& reader, const Fields& fields, TextState* state, GraphUpdate* out) {
  if (fields.text[0] == "load" || fields.text[0] == "run_weight") {
    return ParseLoadLine(reader, fields, state, out);
  }
  if (fields.text[0] == "fn") {
    if (fields.count < 2 || fields.count > 3) {
      return reader.Error(fields.column[0], "expected 'fn HASH [NAME]'");
    }
    auto hash = BlobHash::Parse(fields.text[1]);
    if (!hash.ok()) return reader.Error(fields.column[1], "function " + hash.status().message());
    if (fields.count == 2) {
      out->functions.push_back(*hash);
      return Status::Ok();
    }
    auto name = UnescapeToken(fields.text[2]);
    if (!name.ok()) return reader.Error(fields.column[2], "name: " + name.status().message());
    // Stored, a NUL name would make every later export of the store fail
    // (schema::CheckName); refused here, where the file and line are known.
    if (name->find('\0') != std::string::npos) {
      return reader.Error(fields.column[2], "name: %00 (NUL), which Cap'n Proto Text cannot carry");
    }
    out->names.emplace_back(*hash, std::move(*name));
    return Status::Ok();
  }
  if (fields.count != 4) {
    return reader.Error(fields.column[0],
                        "expected 'CALLER CALLEE STATIC DYNAMIC' or "
                        "'fn HASH [NAME]', found " +
                            std::to_string(fields.count) + " fields");
  }
  auto caller = BlobHash::Parse(fields.text[0]);
  if (!caller.ok()) return reader.Error(fields.column[0], "caller " + caller.status().message());
  auto callee = BlobHash::Parse(fields.text[1]);
  if (!callee.ok()) return reader.Error(fields.column[1], "callee " + callee.status().message());
  auto static_count = ParseUnsigned(fields.text[2], "static count");
  if (!static_count.ok()) return reader.Error(fields.column[2], static_count.status().message());
  auto dynamic_count = ParseUnsigned(fields.text[3], "dynamic count");
  if (!dynamic_count.ok()) return reader.Error(fields.column[3], dynamic_count.status().message());
  out->edges.push_back({*caller, *callee, *static_count, *dynamic_count});
  return Status::Ok();
}

}  // namespace

std::string EscapeToken(std::string_view text) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    unsigned char byte = static_cast<unsigned char>(c);
    if (byte > ' ' && byte <= '~' && c != '\\' && c != '#' && c != '%') {
      out += c;
    } else {
      out += '%';
      out += kDigits[byte >> 4];
      out += kDigits[byte & 15];
    }
  }
  return out;
}

Result<std::string> UnescapeToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] != '%') {
      out += token[i];
      continue;
    }
    int high = i + 2 < token.size() ? HexDigitValue(token[i + 1]) : -1;
    int low = i + 2 < token.size() ? HexDigitValue(token[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return Status::InvalidInput("malformed escape at position " + std::to_string(i) + " of " +
                                  QuoteForMessage(token) + "; expected %XX");
    }
    out += static_cast<char>(high << 4 | low);
    i += 2;
  }
  return out;
}

Result<std::unique_ptr<ProfileWriter>> OpenTextProfileWriter(const std::string& path) {
  auto out = schema::OutputFile::Open(path);
  if (!out.ok()) return out.status();
  return std::unique_ptr<ProfileWriter>(new TextProfileWriter(std::move(*out)));
}

Status ReadTextProfile(schema::InputFile& input, GraphUpdate* out) {
  const std::string& path = input.name();
  auto reader = LineReader::Over(input);
  std::string_view line;
  bool header = true;
  TextState state;
  for (;;) {
    auto more = reader->Next(&line);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (header) {
      ProfileInfo profile;
      BLOBGRAPH_RETURN_IF_ERROR(ParseHeader(*reader, line, &profile, &state));
      out->profile = profile;
      header = false;
      continue;
    }
    Fields fields = SplitFields(line);
    if (fields.count == 0) continue;
    if (fields.too_many) return reader->Error(fields.extra_column, "too many fields");
    BLOBGRAPH_RETURN_IF_ERROR(ParseBody(*reader, fields, &state, out));
  }
  if (header) return Status::InvalidInput(path + ": empty file, expected a profile header");
  return Status::Ok();
}

}  // namespace blobgraph::formats::internal
