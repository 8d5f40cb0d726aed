// examples/rust: builds the crate with cargo (offline, against the build
// tree's libblobgraph.so) and runs it on a sample; its report must equal the
// C example's line for line (timing aside). Skipped, visibly, without cargo.
#include <filesystem>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "capi_test_util.h"

namespace blobgraph::capi_test {
namespace {

namespace fs = std::filesystem;

std::map<std::string, std::string> WithoutTiming(std::map<std::string, std::string> report) {
  report.erase("engine ns/event");
  return report;
}

TEST(RustExampleTest, BuildsOfflineAndMatchesTheCExample) {
  if (RunCommand("command -v cargo").exit_code != 0) {
    GTEST_SKIP() << "cargo is not on PATH: the Rust example was NOT built or run "
                    "(apt-get install cargo)";
  }
  TempDir dir;
  // Build a copy, so cargo writes nothing into the source tree.
  fs::path crate = dir.Path("crate");
  fs::copy(std::string(BLOBGRAPH_SOURCE_DIR) + "/examples/rust", crate,
           fs::copy_options::recursive);
  fs::remove_all(crate / "target");
  CommandResult build = RunCommand("cd " + Quote(crate.string()) +
                                   " && BLOBGRAPH_LIB_DIR=" + Quote(BLOBGRAPH_C_LIB_DIR) +
                                   " CARGO_HOME=" + Quote(dir.Path("cargo-home")) +
                                   " cargo build --offline --release --locked --quiet");
  ASSERT_EQ(build.exit_code, 0) << build.output;
  std::string binary = (crate / "target/release/blobgraph-replay").string();

  for (const std::string sample : {"difflib", "email"}) {
    SCOPED_TRACE(sample);
    std::string test = GunzipSample(dir, sample, "test.bin");
    std::string train = GunzipSample(dir, sample, "train.bin");
    std::string common = " --deps " + Quote(SampleFile(sample, "static.txt")) + " --train " +
                         Quote(train) + " --test " + Quote(test);
    // No LD_LIBRARY_PATH: build.rs put the library directory in the rpath.
    CommandResult rust = RunCommand(BLOBGRAPH_CONSUMER_ENV + binary + " --store " +
                                    Quote(dir.Path(sample + "-rust")) + common);
    ASSERT_EQ(rust.exit_code, 0) << rust.output;
    CommandResult c = RunCommand(std::string(BLOBGRAPH_C_REPLAY) + " --store " +
                                 Quote(dir.Path(sample + "-c")) + common);
    ASSERT_EQ(c.exit_code, 0) << c.output;
    auto rust_report = WithoutTiming(ParseReport(rust.output));
    auto c_report = WithoutTiming(ParseReport(c.output));
    EXPECT_EQ(rust_report, c_report) << "rust:\n" << rust.output << "c:\n" << c.output;
    EXPECT_GT(std::stoull(rust_report["covered"]), 0u);
  }
}

}  // namespace
}  // namespace blobgraph::capi_test
