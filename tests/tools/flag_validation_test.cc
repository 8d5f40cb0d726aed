// Numeric flags through the real blobgraph executable: every negative,
// non-finite, NaN or out-of-range value of every numeric flag of every
// command is refused with a non-zero exit and one line naming the flag, the
// value and what is allowed, before the store is touched; and buffers are
// sized by the graph, not by the flag (prefetch --max 100000000 in 1 GiB).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kBadValues = {"-1",   "inf",   "nan",
                                             "-0.5", "1e400", "99999999999999999999999"};

class FlagValidationTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ASSERT_EQ(Run({"import", "-q", "--text", "data/sample/email/static.txt", "--names",
                   "data/sample/email/names.tsv"})
                  .exit_code,
              0);
    trace_ = Gunzip("email", "train.bin");
    CommandResult record = Run({"record", "-q", "--trace", trace_});
    ASSERT_EQ(record.exit_code, 0) << record.err;
    CommandResult hottest = Run({"stats", "--top", "1", "--json"});
    ASSERT_EQ(hottest.exit_code, 0) << hottest.err;
    size_t at = hottest.out.find("\"hash\":\"");
    ASSERT_NE(at, std::string::npos) << hottest.out;
    hash_ = hottest.out.substr(at + 8, 64);
  }

  // The store's exact contents as the user sees them: every edge and name,
  // and the counters (runs, feedback totals) stats reports.
  std::string Contents() {
    CommandResult dump = Run({"export", "--all", "--format", "text"});
    EXPECT_EQ(dump.exit_code, 0) << dump.err;
    CommandResult stats = Run({"stats", "--json", "--top", "1000"});
    EXPECT_EQ(stats.exit_code, 0) << stats.err;
    // Bytes on disk move with compaction, not with contents.
    std::string counters =
        std::regex_replace(stats.out, std::regex("\"bytes_on_disk\":[0-9]+,"), "");
    return CanonicalDump(dump.out) + "\n" + counters;
  }

  std::string trace_;
  std::string hash_;
};

struct NumericFlag {
  std::vector<std::string> command;  // the command with its required arguments
  std::string flag;                  // without the dashes
};

TEST_F(FlagValidationTest, EveryBadNumberOfEveryFlagIsRefusedAndTheStoreIsUnchanged) {
  std::vector<NumericFlag> flags = {
      {{"decay"}, "factor"},
      {{"decay", "--factor", "0.5"}, "drop-below"},
      {{"prefetch", hash_}, "depth"},
      {{"prefetch", hash_}, "top"},
      {{"prefetch", hash_}, "max"},
      {{"prefetch", hash_}, "min-prob"},
      {{"prefetch", hash_}, "prior-weight"},
      {{"replay", "--trace", trace_}, "start-set"},
      {{"replay", "--trace", trace_}, "depth"},
      {{"replay", "--trace", trace_}, "top"},
      {{"replay", "--trace", trace_}, "max"},
      {{"replay", "--trace", trace_}, "min-prob"},
      {{"replay", "--trace", trace_}, "prior-weight"},
      {{"export", "--all", "--format", "text"}, "min-count"},
      {{"stats"}, "top"},
      {{"callees", hash_}, "top"},
      {{"show", hash_}, "depth"},
      {{"show", hash_}, "top"},
      {{"serve"}, "max-push-edges"},
      {{"serve"}, "max-connections"},
      {{"pull", "--server", "127.0.0.1:1"}, "max-functions"},
      {{"pull", "--server", "127.0.0.1:1"}, "max-bytes"},
      {{"pull", "--server", "127.0.0.1:1"}, "min-calls"},
  };
  if (BLOBGRAPH_HAS_BENCH_COMMAND) {
    for (const char* flag : {"seed", "prefetch-calls", "record-calls", "functions"}) {
      flags.push_back({{"bench"}, flag});
    }
  }
  const std::string before = Contents();
  for (const NumericFlag& numeric : flags) {
    for (const std::string& bad : kBadValues) {
      for (bool equals_form : {false, true}) {
        std::vector<std::string> args = numeric.command;
        if (equals_form) {
          args.push_back("--" + numeric.flag + "=" + bad);
        } else {
          args.push_back("--" + numeric.flag);
          args.push_back(bad);
        }
        std::string shown = args[0] + " --" + numeric.flag + " " + bad;
        CommandResult result = Run(args);
        EXPECT_EQ(result.exit_code, 2) << shown << "\n" << result.out << result.err;
        EXPECT_THAT(result.err, HasSubstr("--" + numeric.flag + " " + bad)) << shown;
        EXPECT_THAT(result.err, HasSubstr("expected a")) << shown << ": " << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
        EXPECT_EQ(result.out, "") << shown;
      }
    }
  }
  EXPECT_EQ(Contents(), before);
}

TEST_F(FlagValidationTest, MessagesSayWhyAndWhatIsAllowed) {
  CommandResult drop = Run({"decay", "--factor", "0.5", "--drop-below=-1"});
  EXPECT_EQ(drop.exit_code, 2);
  EXPECT_EQ(drop.err,
            "blobgraph decay: --drop-below -1: negative; expected a whole number from 0 to "
            "18446744073709551615 (see blobgraph decay --help)\n");
  CommandResult weight = Run({"prefetch", hash_, "--prior-weight", "inf"});
  EXPECT_THAT(weight.err, HasSubstr("--prior-weight inf: not finite; expected a number from 0 to "
                                    "1e+06"));
  CommandResult depth = Run({"prefetch", hash_, "--depth", "17"});
  EXPECT_EQ(depth.exit_code, 2);
  EXPECT_THAT(depth.err, HasSubstr("--depth 17: too large; expected a whole number from 1 to 16"));
  CommandResult zero = Run({"decay", "--factor", "0"});
  EXPECT_THAT(zero.err,
              HasSubstr("--factor 0: too small; expected a number above 0 and at most 1"));
  CommandResult fraction = Run({"stats", "--top", "1.5"});
  EXPECT_THAT(fraction.err, HasSubstr("--top 1.5: not a whole number"));
  if (BLOBGRAPH_HAS_BENCH_COMMAND) {
    CommandResult list = Run({"bench", "--functions", "100,-1"});
    EXPECT_EQ(list.exit_code, 2);
    EXPECT_THAT(list.err, HasSubstr("--functions -1: negative"));
  }
}

TEST_F(FlagValidationTest, TheBoundsThemselvesAreAccepted) {
  EXPECT_EQ(
      Run({"prefetch", hash_, "--depth", "16", "--min-prob", "0", "--prior-weight", "0"}).exit_code,
      0);
  EXPECT_EQ(
      Run({"prefetch", hash_, "--depth", "1", "--min-prob", "1", "--top", "4294967295"}).exit_code,
      0);
  EXPECT_EQ(Run({"stats", "--top", "18446744073709551615"}).exit_code, 0);
  EXPECT_EQ(Run({"callees", hash_, "--top", "18446744073709551615"}).exit_code, 0);
  const std::string before = Contents();
  CommandResult decay = Run({"decay", "--factor", "1", "--drop-below", "0"});
  EXPECT_EQ(decay.exit_code, 0) << decay.err;
  EXPECT_EQ(Contents(), before);  // factor 1, nothing dropped: the same store
}

TEST_F(FlagValidationTest, HelpDocumentsEachRange) {
  CommandResult help = Run({"prefetch", "--help"});
  ASSERT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("a whole number from 1 to 16"));
  EXPECT_THAT(help.out, HasSubstr("a number from 0 to 1e+06"));
  CommandResult decay = Run({"decay", "--help"});
  EXPECT_THAT(decay.out, HasSubstr("a number above 0 and at most 1"));
}

bool UnderAddressSanitizer() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#endif
#endif
  return false;
}

TEST_F(FlagValidationTest, HugeMaxIsSizedByTheGraphNotTheFlag) {
  // 10^8 predictions would be ~4 GB if the buffer followed the flag. Bounded
  // by `ulimit -v` of 1 GiB; an ASan build reserves terabytes of shadow
  // address space, so there the bound is the children's peak RSS instead
  // (the buffer is value-initialised, so a 4 GB one would be resident).
  std::string limit = UnderAddressSanitizer() ? "" : "ulimit -v 1048576 && ";
  CommandResult result =
      Shell(limit + "blobgraph prefetch " + hash_ + " --max 100000000 --min-prob 0 --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("\"predictions\":[{"));
  CommandResult replay = Shell(limit + "blobgraph replay --trace " + trace_ +
                               " --max 4294967295 --start-set 18446744073709551615 --json");
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_THAT(replay.out, HasSubstr("\"coverage\""));
  rusage children{};
  ASSERT_EQ(getrusage(RUSAGE_CHILDREN, &children), 0);
  EXPECT_LT(children.ru_maxrss, 1024L * 1024) << "KiB: a child used more than 1 GiB";
}

}  // namespace
}  // namespace blobgraph::tools::testing
