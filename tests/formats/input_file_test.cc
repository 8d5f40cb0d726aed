// schema::InputFile: one pass over a file, a pipe or gzip content, with
// peeked detection and loud errors for corrupt or truncated gzip.
#include "schema/input_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <thread>

#include "blobgraph/dependency_io.h"
#include "formats/formats_test_util.h"
#include "formats/trace_format.h"

namespace blobgraph::schema {
namespace {

using formats::testing::ReadFile;
using formats::testing::TempDir;
using formats::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Gzip(const std::string& bytes) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, bytes.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// Deterministic, poorly compressible bytes.
std::string Bytes(size_t size) {
  std::string bytes(size, '\0');
  uint64_t x = 88172645463325252ull;
  for (char& c : bytes) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  return bytes;
}

Result<std::string> ReadAllOf(const std::string& path) {
  auto input = InputFile::Open(path);
  if (!input.ok()) return input.status();
  return (*input)->ReadAll();
}

TEST(InputFileTest, PeekConsumesNothing) {
  TempDir dir;
  std::string bytes = Bytes(600000);
  WriteFile(dir.File("plain"), bytes);
  WriteFile(dir.File("packed"), Gzip(bytes));
  for (const char* name : {"plain", "packed"}) {
    auto input = InputFile::Open(dir.File(name));
    ASSERT_TRUE(input.ok()) << input.status().message();
    EXPECT_EQ((*input)->gzip(), std::string(name) == "packed");
    auto peeked = (*input)->Peek(4096);
    ASSERT_TRUE(peeked.ok());
    EXPECT_EQ(*peeked, bytes.substr(0, 4096));
    EXPECT_EQ((*input)->offset(), 0u);
    char first[10];
    ASSERT_EQ(*(*input)->ReadFull(first, 10), 10u);
    EXPECT_EQ(std::string(first, 10), bytes.substr(0, 10));
    auto rest = (*input)->ReadAll();
    ASSERT_TRUE(rest.ok());
    EXPECT_EQ(*rest, bytes.substr(10));
    EXPECT_EQ((*input)->offset(), bytes.size());
    EXPECT_EQ(*(*input)->Peek(1), "");
  }
}

TEST(InputFileTest, ConcatenatedGzipMembersReadAsOne) {
  TempDir dir;
  WriteFile(dir.File("two.gz"), Gzip("first part\n") + Gzip("second part\n"));
  EXPECT_EQ(*ReadAllOf(dir.File("two.gz")), "first part\nsecond part\n");
}

TEST(InputFileTest, EveryTruncationOfGzipIsAnError) {
  TempDir dir;
  std::string bytes = Bytes(70000);
  std::string packed = Gzip(bytes);
  for (size_t cut = 4; cut < packed.size(); cut += cut < 64 ? 1 : 97) {
    WriteFile(dir.File("cut.gz"), packed.substr(0, cut));
    auto read = ReadAllOf(dir.File("cut.gz"));
    ASSERT_FALSE(read.ok()) << "cut at " << cut << " read " << read->size() << " bytes";
    EXPECT_THAT(read.status().message(), StartsWith(dir.File("cut.gz") + ": offset "));
    EXPECT_EQ(read.status().code(), Status::Code::kInvalidInput);
  }
  // The trailer's last byte missing.
  WriteFile(dir.File("cut.gz"), packed.substr(0, packed.size() - 1));
  EXPECT_THAT(ReadAllOf(dir.File("cut.gz")).status().message(),
              HasSubstr(": offset 70000: truncated gzip data"));
}

TEST(InputFileTest, ACorruptByteIsAnErrorOrChangesNothing) {
  TempDir dir;
  std::string bytes = Bytes(20000);
  std::string packed = Gzip(bytes);
  int errors = 0;
  for (size_t at = 0; at < packed.size(); at += 7) {
    std::string corrupt = packed;
    corrupt[at] ^= 0x5a;
    WriteFile(dir.File("bad.gz"), corrupt);
    auto read = ReadAllOf(dir.File("bad.gz"));
    if (read.ok()) {
      // Only header fields that carry no data (mtime, OS) may change
      // harmlessly, or the magic, which makes it plain bytes of another file.
      if (at < 4) {
        EXPECT_EQ(*read, corrupt) << at;
      } else {
        EXPECT_EQ(*read, bytes) << "corrupt byte " << at << " read silently";
      }
    } else {
      ++errors;
      EXPECT_THAT(read.status().message(), StartsWith(dir.File("bad.gz") + ": offset "));
    }
  }
  EXPECT_GT(errors, 0);
}

TEST(InputFileTest, APipeIsReadOnceWithoutReopening) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string bytes = Gzip(Bytes(300000));
  std::thread writer([&] {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fds[1], bytes.data() + done, std::min<size_t>(1000, bytes.size() - done));
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fds[1]);
  });
  auto input = InputFile::Open("/dev/fd/" + std::to_string(fds[0]));
  ASSERT_TRUE(input.ok()) << input.status().message();
  EXPECT_TRUE((*input)->gzip());
  EXPECT_EQ((*input)->size_hint(), 0u);
  ASSERT_TRUE((*input)->Peek(100000).ok());
  auto all = (*input)->ReadAll();
  writer.join();
  ::close(fds[0]);
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(*all, Bytes(300000));
}

TEST(InputFileTest, ErrorsNameThePath) {
  auto missing = InputFile::Open("/nonexistent/t.bin");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kIOError);
  EXPECT_THAT(missing.status().message(), StartsWith("/nonexistent/t.bin: cannot open: "));
  TempDir dir;
  auto directory = InputFile::Open(dir.path());
  ASSERT_FALSE(directory.ok());
  EXPECT_THAT(directory.status().message(), HasSubstr("is a directory"));
}

TEST(InputFileTest, GzipBinaryTracePartialRecordNamesTheDecompressedOffset) {
  TempDir dir;
  std::string trace = Bytes(64 * 100 + 17);
  trace[0] = 0;  // not gzip magic inside
  WriteFile(dir.File("t.bin.gz"), Gzip(trace));
  uint64_t events = 0;
  Status status = formats::ReadTrace(dir.File("t.bin.gz"), formats::TraceFormat::kAuto,
                                     [&](std::span<const formats::CallEvent> chunk) {
                                       events += chunk.size();
                                       return Status::Ok();
                                     });
  EXPECT_THAT(status.message(),
              HasSubstr("t.bin.gz: offset 6400: truncated record: 17 bytes, expected 64"));
}

TEST(InputFileTest, GzipDependencyTextNamesTheLine) {
  TempDir dir;
  std::string line = std::string(64, 'a') + " " + std::string(64, 'b') + "\n";
  WriteFile(dir.File("d.txt.gz"), Gzip(line + line + "zz\n"));
  auto loaded = formats::LoadDependencies(dir.File("d.txt.gz"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), StartsWith(dir.File("d.txt.gz") + ": line 3: "));
  WriteFile(dir.File("ok.txt.gz"), Gzip(line + line));
  auto good = formats::LoadDependencies(dir.File("ok.txt.gz"));
  ASSERT_TRUE(good.ok()) << good.status().message();
  EXPECT_EQ(good->call_sites, 2u);
}

TEST(InputFileTest, FromBytesDetectsGzipToo) {
  auto input = InputFile::FromBytes(Gzip("hello"), "mem");
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(*(*input)->ReadAll(), "hello");
  auto plain = InputFile::FromBytes("\x1f\x8b", "short");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE((*plain)->gzip());
  EXPECT_EQ(*(*plain)->ReadAll(), "\x1f\x8b");
}

}  // namespace
}  // namespace blobgraph::schema
