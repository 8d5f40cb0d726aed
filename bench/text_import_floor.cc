// text_import_floor: the plain-RocksDB floor for `blobgraph import --text`.
//
// Does the least work any importer of dependency text must do, with stock
// RocksDB and no blobgraph code: read the file in large blocks, parse each
// `CALLER_HEX CALLEE_HEX [COUNT]` line with a hand-rolled hex decoder, sort
// the call sites by (caller, callee), sum repeats, write ONE SstFileWriter
// file (key = caller || callee, 64 bytes; value = varint call-site count;
// default Options), and ingest it into a fresh database. Declaration lines
// (one hash) and comments are skipped: they add no edge.
//
// The import target of issue 5 is "at most 2x this program's time on the
// same file, measured in the same run" — time both as whole processes:
//   /usr/bin/time -v text_import_floor deps.txt /tmp/floor.db
// Prints per-phase wall times on stderr; exits non-zero on any error,
// naming the file and line.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>

namespace {

struct CallSite {
  uint8_t key[64];  // caller || callee
  uint64_t count;
};

int HexNibble(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c |= 0x20;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes 64 hex digits at `p` into 32 bytes; false on a non-hex digit.
bool DecodeHash(const char* p, uint8_t* out) {
  for (int i = 0; i < 32; ++i) {
    int high = HexNibble(static_cast<unsigned char>(p[2 * i]));
    int low = HexNibble(static_cast<unsigned char>(p[2 * i + 1]));
    if ((high | low) < 0) return false;
    out[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return true;
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Parses one line (without '\n'); appends a call site or nothing. False on a
// malformed line.
bool ParseLine(const char* begin, const char* end, std::vector<CallSite>* out) {
  const char* hash = std::find(begin, end, '#');
  end = hash;
  while (begin < end && IsBlank(*begin)) ++begin;
  while (end > begin && IsBlank(end[-1])) --end;
  if (begin == end) return true;
  if (end - begin < 64) return false;
  const char* second = begin + 64;
  if (second == end) return true;  // a declaration: no edge
  if (!IsBlank(*second)) return false;
  while (second < end && IsBlank(*second)) ++second;
  if (end - second < 64) return false;
  CallSite site;
  if (!DecodeHash(begin, site.key) || !DecodeHash(second, site.key + 32)) return false;
  const char* p = second + 64;
  site.count = 1;
  if (p != end) {
    if (!IsBlank(*p)) return false;
    while (p < end && IsBlank(*p)) ++p;
    uint64_t count = 0;
    for (; p < end; ++p) {
      if (*p < '0' || *p > '9') return false;
      count = count * 10 + static_cast<uint64_t>(*p - '0');
    }
    if (count == 0) return false;
    site.count = count;
  }
  out->push_back(site);
  return true;
}

void PutVarint(std::string* out, uint64_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "text_import_floor: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: text_import_floor DEPS.txt DB_DIR (DB_DIR is replaced)\n");
    return 2;
  }
  const std::string path = argv[1];
  const std::string db_path = argv[2];
  auto start = std::chrono::steady_clock::now();

  // Parse: 8 MiB blocks, lines split in place.
  std::vector<CallSite> sites;
  {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Fail(path + ": cannot open: " + std::strerror(errno));
    constexpr size_t kBlock = 8 << 20;
    std::unique_ptr<char[]> buffer(new char[kBlock + 4096]);
    size_t held = 0;
    uint64_t line = 0;
    for (bool eof = false; !eof;) {
      ssize_t n = ::read(fd, buffer.get() + held, kBlock + 4096 - held);
      if (n < 0) {
        if (errno == EINTR) continue;
        ::close(fd);
        return Fail(path + ": read failed: " + std::strerror(errno));
      }
      eof = n == 0;
      held += static_cast<size_t>(n);
      const char* p = buffer.get();
      const char* end = p + held;
      for (;;) {
        const char* newline = static_cast<const char*>(std::memchr(p, '\n', end - p));
        if (!newline) {
          if (!eof) break;
          if (p == end) break;
          newline = end;
        }
        ++line;
        if (!ParseLine(p, newline, &sites)) {
          ::close(fd);
          return Fail(path + ": line " + std::to_string(line) + ": malformed");
        }
        p = newline == end ? end : newline + 1;
      }
      held = static_cast<size_t>(end - p);
      if (held > 4096) {
        ::close(fd);
        return Fail(path + ": line " + std::to_string(line + 1) + ": longer than 4096 bytes");
      }
      std::memmove(buffer.get(), p, held);
    }
    ::close(fd);
  }
  double parsed = Since(start);

  std::sort(sites.begin(), sites.end(),
            [](const CallSite& a, const CallSite& b) { return std::memcmp(a.key, b.key, 64) < 0; });
  double sorted = Since(start);

  std::filesystem::remove_all(db_path);
  std::filesystem::create_directories(db_path);
  const std::string sst_path = db_path + ".floor.sst";
  rocksdb::Options options;
  options.create_if_missing = true;
  uint64_t edges = 0;
  {
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options);
    rocksdb::Status status = writer.Open(sst_path);
    if (!status.ok()) return Fail(sst_path + ": " + status.ToString());
    std::string value;
    for (size_t i = 0; i < sites.size();) {
      uint64_t count = 0;
      size_t j = i;
      for (; j < sites.size() && std::memcmp(sites[j].key, sites[i].key, 64) == 0; ++j) {
        count += sites[j].count;
      }
      value.clear();
      PutVarint(&value, count);
      status = writer.Put(rocksdb::Slice(reinterpret_cast<const char*>(sites[i].key), 64), value);
      if (!status.ok()) return Fail(sst_path + ": " + status.ToString());
      ++edges;
      i = j;
    }
    status = writer.Finish();
    if (!status.ok()) return Fail(sst_path + ": " + status.ToString());
  }
  size_t call_sites = sites.size();
  std::vector<CallSite>().swap(sites);
  double written = Since(start);

  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, db_path, &raw);
  if (!status.ok()) return Fail(db_path + ": " + status.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = true;
  status = db->IngestExternalFile({sst_path}, ingest);
  if (!status.ok()) return Fail(db_path + ": ingest: " + status.ToString());
  status = db->Close();
  if (!status.ok()) return Fail(db_path + ": close: " + status.ToString());
  double ingested = Since(start);

  std::fprintf(stderr,
               "text_import_floor: %zu call-site lines, %llu edges; parse %.2f s, sort %.2f s, "
               "sst %.2f s, ingest %.2f s, total %.2f s\n",
               call_sites, static_cast<unsigned long long>(edges), parsed, sorted - parsed,
               written - sorted, ingested - written, ingested);
  return 0;
}
