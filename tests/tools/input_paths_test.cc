// Every input of the real executable read the same way whatever the path is:
// a file, "-" on stdin, a pipe (<(cat f)), gzip content as a file or a pipe.
// Each form must give the exact same store; a truncated or corrupt gzip is
// refused naming the file, with a non-zero exit and the store unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "formats/trace_format.h"
#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// How a file reaches the command: the flag's value and the shell around it.
struct Form {
  const char* name;
  bool gzip;
  // `%s` is the (possibly gzip'ed) file's path.
  const char* argument;  // what goes after the flag
  const char* prefix;    // what goes before the command
};

const std::vector<Form>& Forms() {
  static const std::vector<Form> forms = {
      {"path", false, "%s", ""},
      {"stdin", false, "-", "cat %s | "},
      {"pipe", false, "<(cat %s)", ""},
      {"gzip path", true, "%s", ""},
      {"gzip pipe", true, "<(cat %s)", ""},
      {"gzip stdin", true, "-", "cat %s | "},
  };
  return forms;
}

std::string Fill(const char* pattern, const std::string& path) {
  std::string out(pattern);
  size_t at = out.find("%s");
  if (at != std::string::npos) out.replace(at, 2, path);
  return out;
}

class InputPathsTest : public CliTest {
 protected:
  // Runs `command_line` under bash (for <(...)).
  CommandResult Bash(const std::string& command_line) const {
    std::string quoted = "'";
    for (char c : command_line) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return Shell("bash -c " + quoted + "'");
  }

  // `blobgraph SUBCOMMAND ... FLAG <file in this form> ...` against store `db`.
  CommandResult RunWith(const Form& form, const std::string& file, const std::string& db,
                        const std::string& before, const std::string& after = "") const {
    std::string path = file;
    if (form.gzip) {
      path = file + ".gz";
      EXPECT_EQ(Shell("gzip -c '" + file + "' > '" + path + "'").exit_code, 0);
    }
    return Bash(Fill(form.prefix, path) + "BLOBGRAPH_DB=" + db + " blobgraph " + before + " " +
                Fill(form.argument, path) + " " + after);
  }

  // The store's contents: its text export without the header line (which
  // carries a fresh profile id each time).
  std::string Contents(const std::string& db) const {
    CommandResult exported = Shell("blobgraph export --all --db=" + db + " --format text");
    EXPECT_EQ(exported.exit_code, 0) << exported.err;
    size_t newline = exported.out.find('\n');
    return newline == std::string::npos ? "" : exported.out.substr(newline + 1);
  }

  std::string Stats(const std::string& db) const {
    CommandResult stats = Shell("blobgraph stats --db=" + db + " --json");
    EXPECT_EQ(stats.exit_code, 0) << stats.err;
    // Drop the store's own path and size, which differ between stores.
    std::string out = stats.out;
    size_t start = out.find("\"functions\"");
    size_t bytes = out.find(",\"bytes_on_disk\"");
    size_t runs = out.find(",\"runs\"");
    return out.substr(start, bytes - start) + out.substr(runs);
  }

  // Checks that every form of `file` gives the same store (each a fresh one)
  // as a plain path, whose stats contain `must_contain`. Returns the store
  // the plain path went into.
  std::string ExpectSameStoreForEveryForm(const std::string& file, const std::string& before,
                                          const std::string& after,
                                          const std::string& must_contain) {
    std::string reference;
    std::string first_db;
    ++calls_;
    for (size_t i = 0; i < Forms().size(); ++i) {
      const Form& form = Forms()[i];
      std::string db = dir() + "/form" + std::to_string(calls_) + "_" + std::to_string(i) + ".db";
      if (i == 0) first_db = db;
      CommandResult result = RunWith(form, file, db, before, after);
      EXPECT_EQ(result.exit_code, 0) << form.name << ": " << result.err;
      std::string contents = Contents(db) + Stats(db);
      if (i == 0) {
        reference = contents;
        EXPECT_THAT(reference, HasSubstr(must_contain));
      } else {
        EXPECT_EQ(contents, reference) << form.name;
      }
    }
    return first_db;
  }

  // A truncated and a corrupt gzip of `file` are refused with the file named,
  // and the store (set up by `setup`) keeps exactly what it had.
  void ExpectBadGzipRefused(const std::string& file, const std::string& before,
                            const std::string& after = "") {
    std::string db = dir() + "/bad.db";
    ASSERT_EQ(Run({"import", "--db=" + db, "--text", "data/sample/difflib/static.txt"}).exit_code,
              0);
    std::string before_contents = Contents(db) + Stats(db);
    std::string gz = file + ".gz";
    ASSERT_EQ(Shell("gzip -c '" + file + "' > '" + gz + "'").exit_code, 0);
    std::string full = ReadFile(gz);
    ASSERT_GT(full.size(), 40u);
    // Cut in the middle of the deflate data, and just before the trailer.
    for (size_t cut : {full.size() / 2, full.size() - 4}) {
      std::string truncated = WriteFile("truncated.gz", full.substr(0, cut));
      for (const std::string& argument : {truncated, std::string("<(cat " + truncated + ")")}) {
        CommandResult result =
            Bash("BLOBGRAPH_DB=" + db + " blobgraph " + before + " " + argument + " " + after);
        EXPECT_NE(result.exit_code, 0) << argument;
        EXPECT_THAT(result.err, HasSubstr("truncated gzip data")) << argument;
        EXPECT_THAT(result.err, Not(HasSubstr("terminate")));
        if (argument == truncated) {
          EXPECT_THAT(result.err, HasSubstr(truncated + ": offset "));
        }
        EXPECT_EQ(Contents(db) + Stats(db), before_contents) << argument;
      }
    }
    // A flipped bit in the CRC-32 trailer: the data decompresses, the check fails.
    std::string corrupt = full;
    corrupt[corrupt.size() - 6] ^= 0x10;
    std::string path = WriteFile("corrupt.gz", corrupt);
    CommandResult result =
        Bash("BLOBGRAPH_DB=" + db + " blobgraph " + before + " " + path + " " + after);
    EXPECT_NE(result.exit_code, 0);
    EXPECT_THAT(result.err, HasSubstr(path + ": offset "));
    EXPECT_THAT(result.err, HasSubstr("corrupt gzip data"));
    EXPECT_EQ(Contents(db) + Stats(db), before_contents);
  }

  int calls_ = 0;
};

TEST_F(InputPathsTest, RecordReadsEveryEventOfEveryForm) {
  std::string trace = Gunzip("difflib", "train.bin");
  ExpectSameStoreForEveryForm(trace, "record --trace", "", "\"dynamic_total\":1473");
  // The pipe of the issue: gunzip's output, all 1474 events.
  CommandResult piped = Bash("blobgraph record --db=" + dir() +
                             "/piped.db --trace <(gunzip -c data/sample/difflib/train.bin.gz)");
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_THAT(piped.out, HasSubstr("1474 events"));
  // The shipped .gz itself, by content.
  CommandResult direct = Run(
      {"record", "--db=" + dir() + "/direct.db", "--trace", "data/sample/difflib/train.bin.gz"});
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  EXPECT_THAT(direct.out, HasSubstr("1474 events"));
}

TEST_F(InputPathsTest, RecordOfTextAndCapnpTracesFromEveryForm) {
  // The same 1474 events as a text trace and as a Cap'n Proto trace stream.
  std::vector<formats::CallEvent> events;
  ASSERT_TRUE(
      formats::ReadTrace(std::string(BLOBGRAPH_TEST_DATA_DIR) + "/sample/difflib/train.bin.gz",
                         formats::TraceFormat::kAuto,
                         [&](std::span<const formats::CallEvent> chunk) {
                           events.insert(events.end(), chunk.begin(), chunk.end());
                           return Status::Ok();
                         })
          .ok());
  ASSERT_EQ(events.size(), 1474u);
  std::string base;
  for (formats::TraceFormat format : {formats::TraceFormat::kText, formats::TraceFormat::kCapnp}) {
    std::string path = dir() + "/train." + formats::TraceFormatName(format);
    ASSERT_TRUE(formats::WriteTrace(path, format, events).ok());
    std::string db =
        ExpectSameStoreForEveryForm(path, "record --trace", "", "\"dynamic_total\":1473");
    if (base.empty()) base = Contents(db);
    EXPECT_EQ(Contents(db), base);
  }
}

TEST_F(InputPathsTest, RecordRefusesBadGzipAndPartialRecordsOnPipes) {
  std::string trace = Gunzip("difflib", "train.bin");
  ExpectBadGzipRefused(trace, "record --trace");
  // 3 bytes past the last record, through a pipe: the size is known only at
  // the end, and it is still an error naming the offset.
  std::string db = dir() + "/partial.db";
  CommandResult result =
      Bash("(cat " + trace + "; printf abc) | blobgraph record --db=" + db + " --trace -");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("<stdin>: offset 94336: truncated record: 3 bytes"));
  EXPECT_EQ(Run({"stats", "--db=" + db}).exit_code, 1);  // nothing was created
}

TEST_F(InputPathsTest, ReplayGivesTheSameReportForEveryForm) {
  ASSERT_EQ(Run({"record", "--trace", "data/sample/difflib/train.bin.gz"}).exit_code, 0);
  std::string trace = Gunzip("difflib", "test.bin");
  std::string reference;
  for (const Form& form : Forms()) {
    CommandResult result = RunWith(form, trace, db(), "replay --trace");
    ASSERT_EQ(result.exit_code, 0) << form.name << ": " << result.err;
    // Everything but the timing line.
    std::string report = result.out.substr(0, result.out.find("engine time"));
    EXPECT_THAT(report, HasSubstr("events              2436"));
    if (reference.empty()) reference = report;
    EXPECT_EQ(report, reference) << form.name;
  }
  // --sweep replays the trace many times from one read of the pipe.
  CommandResult sweep = Bash("cat " + trace + " | blobgraph replay --trace - --sweep --json");
  ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
  EXPECT_THAT(sweep.out, HasSubstr("\"events\":2436"));
  EXPECT_THAT(sweep.out, Not(HasSubstr("\"events\":0")));
  ExpectBadGzipRefused(trace, "replay --trace");
}

TEST_F(InputPathsTest, ImportTextFromEveryForm) {
  std::string deps = dir() + "/static.txt";
  ASSERT_EQ(Shell("cp data/sample/difflib/static.txt " + deps).exit_code, 0);
  ExpectSameStoreForEveryForm(deps, "import --text", "", "\"edges\":");
  ExpectBadGzipRefused(deps, "import --text");
}

TEST_F(InputPathsTest, ImportCapnpDependenciesAndProfilesFromEveryForm) {
  std::string deps = dir() + "/deps.capnp";
  ASSERT_EQ(Shell(std::string("cp ") + BLOBGRAPH_SOURCE_DIR +
                  "/formats/fuzz/corpus/capnp_stream/deps.capnp " + deps)
                .exit_code,
            0);
  ExpectSameStoreForEveryForm(deps, "import --capnp", "", "\"edges\":");
  ExpectBadGzipRefused(deps, "import --capnp");

  ASSERT_EQ(Run({"import", "--text", "data/sample/difflib/static.txt"}).exit_code, 0);
  std::string profile = dir() + "/p.capnp";
  ASSERT_EQ(Run({"export", "--all", "--format", "capnp", "-o", profile}).exit_code, 0);
  ExpectSameStoreForEveryForm(profile, "import --capnp", "", "\"profiles\":1");
}

TEST_F(InputPathsTest, ImportJsonAndTextProfilesFromEveryForm) {
  ASSERT_EQ(Run({"import", "--text", "data/sample/difflib/static.txt"}).exit_code, 0);
  ASSERT_EQ(Run({"record", "--trace", "data/sample/difflib/train.bin.gz"}).exit_code, 0);
  std::string json = dir() + "/p.json";
  std::string text = dir() + "/p.txt";
  ASSERT_EQ(Run({"export", "--all", "--format", "json", "-o", json}).exit_code, 0);
  ASSERT_EQ(Run({"export", "--all", "--format", "text", "-o", text}).exit_code, 0);
  std::string original = Contents(db());
  EXPECT_EQ(Contents(ExpectSameStoreForEveryForm(json, "import --json", "", "\"profiles\":1")),
            original);
  EXPECT_EQ(Contents(ExpectSameStoreForEveryForm(text, "import --text", "", "\"profiles\":1")),
            original);
  ExpectBadGzipRefused(json, "import --json");
}

TEST_F(InputPathsTest, ImportNamesFromEveryForm) {
  std::string names = dir() + "/names.tsv";
  ASSERT_EQ(Shell("cp data/sample/difflib/names.tsv " + names).exit_code, 0);
  // Names attach to an imported graph; the names alone come through --names.
  ExpectSameStoreForEveryForm(names, "import --text data/sample/difflib/static.txt --names", "",
                              "fn ");
  ExpectBadGzipRefused(names, "import --names");
}

TEST_F(InputPathsTest, MergeFromEveryForm) {
  ASSERT_EQ(Run({"import", "--text", "data/sample/difflib/static.txt"}).exit_code, 0);
  ASSERT_EQ(Run({"record", "--trace", "data/sample/difflib/train.bin.gz"}).exit_code, 0);
  std::string original = Contents(db());
  for (const char* format : {"text", "capnp", "json"}) {
    std::string profile = dir() + "/p." + format;
    ASSERT_EQ(Run({"export", "--all", "--format", format, "-o", profile}).exit_code, 0);
    EXPECT_EQ(Contents(ExpectSameStoreForEveryForm(profile, "merge", "", "\"profiles\":1")),
              original)
        << format;
    ExpectBadGzipRefused(profile, "merge");
  }
  // The case: a text profile through a pipe.
  CommandResult piped =
      Bash("blobgraph merge --db=" + dir() + "/piped.db <(cat " + dir() + "/p.text)");
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(Contents(dir() + "/piped.db"), original);
}

}  // namespace
}  // namespace blobgraph::tools::testing
