// export sends what the store observed itself, once; export --all the
// whole graph; pull refreshes. Through the real blobgraph executable, with
// the store's exact contents (export --all --format text, stats --json)
// checked after each step.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <cstdio>
#include <memory>

#include "storage/raw_records_util.h"
#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;

const std::string kA = HexOf(0xaa), kB = HexOf(0xbb), kC = HexOf(0xcc), kD = HexOf(0xdd);
const std::string kRoot(64, '0');

uint64_t JsonField(const std::string& json, const std::string& field) {
  size_t at = json.find("\"" + field + "\":");
  if (at == std::string::npos) return ~uint64_t{0};
  return std::stoull(json.substr(at + field.size() + 3));
}

class LayersCliTest : public CliTest {
 protected:
  void ImportSmallGraph(const std::string& db) {
    // a calls b at two sites and c at one; b calls d.
    WriteFile("deps.txt", kA + " " + kB + "\n" + kA + " " + kB + "\n" + kA + " " + kC + "\n\n" +
                              kB + " " + kD + "\n");
    WriteFile("names.tsv", kA + "\tmain\n" + kB + "\tparse\n");
    CommandResult result =
        Run({"import", "--db", db, "--text", "deps.txt", "--names", "names.tsv"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
  // a -> c `calls` times (and a root entry into a).
  void Record(const std::string& db, int calls, const std::string& name = "trace.txt") {
    std::string trace = kRoot + " " + kA + "\n";
    for (int i = 0; i < calls; ++i) trace += kA + " " + kC + "\n";
    WriteFile(name, trace);
    CommandResult result = Run({"record", "--db", db, "--trace", name});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
  // The edge lines of an export (sorted), without header, names or loads.
  std::string Edges(const std::string& path) {
    std::string dump = CanonicalDump(ReadFile(path)), edges;
    size_t start = 0;
    while (start < dump.size()) {
      size_t end = dump.find('\n', start);
      std::string line = dump.substr(start, end - start);
      if (line.size() > 129 && line[64] == ' ' && line[129] == ' ') edges += line + "\n";
      start = end + 1;
    }
    return edges;
  }
  std::string Export(const std::string& db, const std::string& name,
                     std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"export", "--db", db, "--format", "text", "-o", name};
    args.insert(args.end(), extra.begin(), extra.end());
    CommandResult result = Run(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return dir() + "/" + name;
  }
  std::string Stats(const std::string& db) {
    CommandResult stats = Run({"stats", "--db", db, "--json"});
    EXPECT_EQ(stats.exit_code, 0) << stats.err;
    return stats.out;
  }
};

TEST_F(LayersCliTest, ExportCarriesEachOwnObservationOnce) {
  ImportSmallGraph(db());
  EXPECT_EQ(JsonField(Stats(db()), "unsent_edges"), 3u);
  std::string first = Export(db(), "first.txt");
  EXPECT_EQ(Edges(first),
            kA + " " + kB + " 2 0\n" + kA + " " + kC + " 1 0\n" + kB + " " + kD + " 1 0\n");
  EXPECT_THAT(ReadFile(first), HasSubstr("fn " + kA + " main"));
  EXPECT_EQ(JsonField(Stats(db()), "unsent_edges"), 0u);
  // Nothing new: an export with no edges.
  EXPECT_EQ(Edges(Export(db(), "empty.txt")), "");
  // A recorded run: only its calls.
  ASSERT_NO_FATAL_FAILURE(Record(db(), 3));
  EXPECT_EQ(Edges(Export(db(), "run.txt")), kA + " " + kC + " 0 3\n");
  // --all: the whole graph, and it marks nothing.
  ASSERT_NO_FATAL_FAILURE(Record(db(), 2, "trace2.txt"));
  std::string all = Export(db(), "all.txt", {"--all"});
  EXPECT_EQ(Edges(all),
            kA + " " + kB + " 2 0\n" + kA + " " + kC + " 1 5\n" + kB + " " + kD + " 1 0\n");
  EXPECT_EQ(JsonField(Stats(db()), "unsent_edges"), 1u);
  EXPECT_EQ(Edges(Export(db(), "run2.txt")), kA + " " + kC + " 0 2\n");
  // The store itself is unchanged by all of it.
  EXPECT_EQ(Edges(Export(db(), "all2.txt", {"--all"})), Edges(all));
}

TEST_F(LayersCliTest, MergedProfilesAreNotExportedAsOwn) {
  std::string source = dir() + "/source.db";
  ImportSmallGraph(source);
  std::string profile = Export(source, "profile.txt");
  CommandResult merged = Run({"merge", profile});
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  EXPECT_EQ(JsonField(Stats(db()), "unsent_edges"), 0u);
  EXPECT_EQ(Edges(Export(db(), "own.txt")), "");
  EXPECT_EQ(Edges(Export(db(), "all.txt", {"--all"})), Edges(profile));
}

TEST_F(LayersCliTest, MinCountLeavesTheEdgesBelowItUnsent) {
  ImportSmallGraph(db());
  ASSERT_NO_FATAL_FAILURE(Record(db(), 0));  // a root entry only: no edge
  std::string ignored = Export(db(), "statics.txt");
  ASSERT_NO_FATAL_FAILURE(Record(db(), 5));
  std::string trace = kRoot + " " + kB + "\n" + kB + " " + kD + "\n";
  WriteFile("small.txt", trace);
  ASSERT_EQ(Run({"record", "--trace", "small.txt"}).exit_code, 0);
  EXPECT_EQ(Edges(Export(db(), "big.txt", {"--min-count", "3"})), kA + " " + kC + " 0 5\n");
  EXPECT_EQ(Edges(Export(db(), "rest.txt")), kB + " " + kD + " 0 1\n");
}

TEST_F(LayersCliTest, ExportNeedsTheWriterLockButExportAllDoesNot) {
  ImportSmallGraph(db());
  // A store held open by a writer: export --all still reads it, export
  // (which marks what it wrote as sent) is refused and writes no file.
  std::string script = "\"$B\" serve --db " + db() +
                       " --listen 127.0.0.1:0 --port-file port 2> serve.log &\n"
                       "server=$!\n"
                       "for i in $(seq 100); do [ -s port ] && break; sleep 0.1; done\n"
                       "\"$B\" export --db " +
                       db() +
                       " --format text -o own.txt 2> own.err\n"
                       "echo $? > own.rc\n"
                       "\"$B\" export --db " +
                       db() +
                       " --all --format text -o all.txt 2> all.err\n"
                       "echo $? > all.rc\n"
                       "kill -TERM $server; wait $server\n";
  WriteFile("held.sh", "B=" + std::string(BLOBGRAPH_EXE) + "\n" + script);
  CommandResult shell = Shell("sh held.sh");
  ASSERT_EQ(shell.exit_code, 0) << shell.err;
  EXPECT_EQ(ReadFile(dir() + "/own.rc"), "1\n") << ReadFile(dir() + "/own.err");
  EXPECT_THAT(ReadFile(dir() + "/own.err"), HasSubstr("in use by another process"));
  EXPECT_EQ(ReadFile(dir() + "/own.txt"), "");
  EXPECT_EQ(ReadFile(dir() + "/all.rc"), "0\n") << ReadFile(dir() + "/all.err");
  EXPECT_EQ(Edges(dir() + "/all.txt"),
            kA + " " + kB + " 2 0\n" + kA + " " + kC + " 1 0\n" + kB + " " + kD + " 1 0\n");
  EXPECT_EQ(JsonField(Stats(db()), "unsent_edges"), 3u);  // still unsent
}

// A full disk: the export's file cannot be written, so nothing is marked
// sent; once space is freed, the next export writes all of it.
TEST_F(LayersCliTest, ExportToAFullDiskKeepsTheObservationsUnsent) {
  ImportSmallGraph(db());
  ASSERT_NO_FATAL_FAILURE(Record(db(), 4));
  std::string script =
      "set -u\n"
      "B=" +
      std::string(BLOBGRAPH_EXE) +
      "\n"
      "mkdir -p mnt && mount -t tmpfs -o size=1m tmpfs mnt || exit 90\n"
      "dd if=/dev/zero of=mnt/filler bs=4k 2>/dev/null\n"
      "\"$B\" export --db " +
      db() +
      " --format text -o mnt/out.txt > full.out 2> full.err\n"
      "echo $? > full.rc\n"
      "ls mnt > full.ls\n"
      "\"$B\" stats --db " +
      db() +
      " --json > full.stats\n"
      "rm mnt/filler\n"
      "\"$B\" export --db " +
      db() +
      " --format text -o mnt/out.txt > freed.out 2> freed.err\n"
      "echo $? > freed.rc\n"
      "cp mnt/out.txt out.txt\n"
      "\"$B\" stats --db " +
      db() + " --json > freed.stats\n";
  WriteFile("full.sh", script);
  CommandResult shell = Shell("unshare -rm sh full.sh");
  ASSERT_EQ(shell.exit_code, 0) << shell.err;
  EXPECT_EQ(ReadFile(dir() + "/full.rc"), "1\n");
  EXPECT_THAT(ReadFile(dir() + "/full.err"), HasSubstr("No space left on device"));
  EXPECT_EQ(ReadFile(dir() + "/full.ls"), "filler\n");  // no file, no temporary
  EXPECT_EQ(JsonField(ReadFile(dir() + "/full.stats"), "unsent_edges"), 3u);
  EXPECT_EQ(ReadFile(dir() + "/freed.rc"), "0\n") << ReadFile(dir() + "/freed.err");
  EXPECT_EQ(Edges(dir() + "/out.txt"),
            kA + " " + kB + " 2 0\n" + kA + " " + kC + " 1 4\n" + kB + " " + kD + " 1 0\n");
  EXPECT_EQ(JsonField(ReadFile(dir() + "/freed.stats"), "unsent_edges"), 0u);
}

// The output was written but marking its observations sent failed (the
// store's disk is full): exit 1 saying so, the store still counts them as
// unsent, and a later export writes them again. The disk fills while the
// export is provably past its open: its output (more than a pipe holds) is
// read one byte, then the tmpfs is filled, then the rest is drained, so the
// only write left to the export is MarkSent's.
TEST_F(LayersCliTest, MarkSentFailingAfterTheFileWasWrittenSaysSoAndKeepsThemUnsent) {
  // ~270 KB of text edges (four pipe buffers), and as many callers, so
  // that MarkSent's batch (a key per caller) needs far more than a page.
  const int kCallers = 2000;
  std::string deps, all_edges;
  for (int i = 0; i < kCallers; ++i) {
    char caller[65];
    std::snprintf(caller, sizeof caller, "%064x", 0x10000 + i);
    deps += std::string(caller) + " " + kD + "\n";
    all_edges += std::string(caller) + " " + kD + " 1 0\n";
  }
  WriteFile("deps.txt", deps);
  std::string script =
      "set -u\n"
      "B=" +
      std::string(BLOBGRAPH_EXE) +
      "\n"
      "mkdir -p mnt && mount -t tmpfs -o size=8m tmpfs mnt || exit 90\n"
      "\"$B\" import -q --db mnt/db --text deps.txt > /dev/null || exit 91\n"
      // A writable open with nothing to write flushes the WAL first.
      "\"$B\" import -q --db mnt/db --text /dev/null > /dev/null || exit 92\n"
      "{ \"$B\" export --db mnt/db --format text -o - 2> full.err; echo $? > full.rc; } |\n"
      "  { dd bs=1 count=1 of=out.txt 2>/dev/null;\n"
      "    dd if=/dev/zero of=mnt/filler bs=4k 2>/dev/null;\n"
      "    cat >> out.txt; }\n"
      "rm mnt/filler\n"
      "\"$B\" stats --db mnt/db --json > full.stats\n"
      "\"$B\" export --db mnt/db --format text -o again.txt > again.out 2> again.err\n"
      "echo $? > again.rc\n"
      "\"$B\" stats --db mnt/db --json > again.stats\n";
  WriteFile("marksent.sh", script);
  CommandResult shell = Shell("unshare -rm sh marksent.sh");
  ASSERT_EQ(shell.exit_code, 0) << shell.err;
  EXPECT_EQ(ReadFile(dir() + "/full.rc"), "1\n");
  EXPECT_THAT(ReadFile(dir() + "/full.err"),
              HasSubstr("stdout holds the observations, but the store still counts them as "
                        "unsent"));
  EXPECT_THAT(ReadFile(dir() + "/full.err"), HasSubstr("No space left on device"));
  EXPECT_EQ(Edges(dir() + "/out.txt"), all_edges);
  EXPECT_EQ(JsonField(ReadFile(dir() + "/full.stats"), "unsent_edges"), uint64_t(kCallers));
  EXPECT_EQ(ReadFile(dir() + "/again.rc"), "0\n") << ReadFile(dir() + "/again.err");
  EXPECT_EQ(Edges(dir() + "/again.txt"), all_edges);
  EXPECT_EQ(JsonField(ReadFile(dir() + "/again.stats"), "unsent_edges"), 0u);
}

// Turns a store this build wrote into what format 2 left: format key 2 and
// no `layers` family.
void DowngradeToFormatTwo(const std::string& path) {
  storage_test::PutRaw(path, "default", "format", "blobgraph-store 2");
  storage_test::DropRaw(path, "layers");
}

TEST_F(LayersCliTest, FormatTwoStoreIsReadAsItIsAndConvertedWithNothingUnsent) {
  ImportSmallGraph(db());
  ASSERT_NO_FATAL_FAILURE(Record(db(), 2));
  ASSERT_NO_FATAL_FAILURE(DowngradeToFormatTwo(db()));
  // Read-only commands work and leave it format 2.
  std::string stats = Stats(db());
  EXPECT_EQ(JsonField(stats, "unsent_edges"), 0u) << stats;
  EXPECT_EQ(JsonField(stats, "dynamic_total"), 2u) << stats;
  CommandResult verify = Run({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  std::string all = Export(db(), "all.txt", {"--all"});
  EXPECT_EQ(storage_test::GetRaw(db(), "default", "format"), "blobgraph-store 2");
  // A writable open converts it: what it held is neither unsent nor pulled.
  EXPECT_EQ(Edges(Export(db(), "own.txt")), "");
  EXPECT_EQ(storage_test::GetRaw(db(), "default", "format"), "blobgraph-store 3");
  EXPECT_EQ(Edges(Export(db(), "all2.txt", {"--all"})), Edges(all));
  ASSERT_NO_FATAL_FAILURE(Record(db(), 1, "later.txt"));
  EXPECT_EQ(Edges(Export(db(), "later.profile")), kA + " " + kC + " 0 1\n");
  verify = Run({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace blobgraph::tools::testing
