// Packaging: libblobgraph.so's SONAME and exported symbols, and an install
// into a temporary prefix that a C program (pkg-config) and a CMake project
// (find_package) build against.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "capi_test_util.h"

namespace blobgraph::capi_test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Every function blobgraph/c.h declares.
std::set<std::string> DeclaredFunctions() {
  std::ifstream header(std::string(BLOBGRAPH_SOURCE_DIR) + "/include/blobgraph/c.h");
  std::stringstream text;
  text << header.rdbuf();
  std::string all = text.str();
  std::set<std::string> names;
  std::regex declaration(R"(BLOBGRAPH_API[^;(]*\b(blobgraph_\w+)\s*\()");
  for (std::sregex_iterator it(all.begin(), all.end(), declaration), end; it != end; ++it) {
    names.insert((*it)[1]);
  }
  return names;
}

TEST(PackagingTest, LibraryHasSonameAndExportsExactlyTheCApi) {
  CommandResult dynamic = RunCommand("readelf -d " + Quote(BLOBGRAPH_C_LIBRARY));
  ASSERT_EQ(dynamic.exit_code, 0) << dynamic.output;
  EXPECT_THAT(dynamic.output, HasSubstr("Library soname: [libblobgraph.so.0]"));

  CommandResult symbols = RunCommand("nm -D --defined-only " + Quote(BLOBGRAPH_C_LIBRARY));
  ASSERT_EQ(symbols.exit_code, 0) << symbols.output;
  std::set<std::string> exported;
  std::istringstream lines(symbols.output);
  std::string address, type, name;
  while (lines >> address >> type >> name) {
    if (type == "A") continue;  // the version node BLOBGRAPH_0
    exported.insert(name.substr(0, name.find('@')));
  }
  std::set<std::string> declared = DeclaredFunctions();
  EXPECT_GE(declared.size(), 20u);
  EXPECT_EQ(exported, declared);
}

class InstallTest : public ::testing::Test {
 protected:
  void Install() {
    CommandResult install =
        RunCommand(std::string(BLOBGRAPH_CMAKE) + " --install " + Quote(BLOBGRAPH_BINARY_DIR) +
                   " --prefix " + Quote(prefix_.Path()));
    ASSERT_EQ(install.exit_code, 0) << install.output;
  }
  std::string Lib(const std::string& name) const {
    return prefix_.Path(std::string(BLOBGRAPH_INSTALL_LIBDIR) + "/" + name);
  }
  std::string BuildConsumer(const std::string& name, const std::string& lists);
  TempDir prefix_, work_;
};

TEST_F(InstallTest, CProgramBuildsWithPkgConfigAndRuns) {
  ASSERT_NO_FATAL_FAILURE(Install());
  EXPECT_TRUE(fs::exists(prefix_.Path("include/blobgraph/c.h")));
  EXPECT_TRUE(fs::is_symlink(Lib("libblobgraph.so")));
  EXPECT_TRUE(fs::exists(Lib("libblobgraph.so.0")));
  std::string pkg = "PKG_CONFIG_PATH=" + Quote(Lib("pkgconfig")) + " ";
  CommandResult version = RunCommand(pkg + "pkg-config --modversion blobgraph");
  EXPECT_EQ(version.output, std::string(BLOBGRAPH_PROJECT_VERSION) + "\n");

  std::string program = work_.Path("replay");
  CommandResult compile =
      RunCommand(pkg + "sh -c " +
                 Quote("cc -std=c11 -Wall -Werror " +
                       Quote(std::string(BLOBGRAPH_SOURCE_DIR) + "/examples/c/replay.c") + " -o " +
                       Quote(program) + " $(pkg-config --cflags --libs blobgraph)"));
  ASSERT_EQ(compile.exit_code, 0) << compile.output;
  // It runs against the installed library, not the build tree's.
  CommandResult ldd = RunCommand("LD_LIBRARY_PATH=" + Quote(Lib("")) + " ldd " + Quote(program));
  EXPECT_THAT(ldd.output, HasSubstr(Lib("libblobgraph.so.0")));
  std::string test = GunzipSample(work_, "json", "test.bin");
  CommandResult run =
      RunCommand(BLOBGRAPH_CONSUMER_ENV "LD_LIBRARY_PATH=" + Quote(Lib("")) + " " + Quote(program) +
                 " --store " + Quote(work_.Path("store")) + " --deps " +
                 Quote(SampleFile("json", "static.txt")) + " --test " + Quote(test));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto report = ParseReport(run.output);
  EXPECT_EQ(report["blobgraph"], BLOBGRAPH_PROJECT_VERSION);
  EXPECT_EQ(report["events"], "178984");
}

// Configures and builds `lists` (a CMakeLists.txt) against the install;
// returns the build directory.
std::string InstallTest::BuildConsumer(const std::string& name, const std::string& lists) {
  fs::path project = work_.Path(name);
  fs::create_directories(project);
  std::ofstream(project / "CMakeLists.txt") << lists;
  std::string build = work_.Path(name + "-build");
  CommandResult configure = RunCommand(
      std::string(BLOBGRAPH_CMAKE) + " -S " + Quote(project.string()) + " -B " + Quote(build) +
      " " BLOBGRAPH_CONSUMER_CMAKE_ARGS "-DCMAKE_PREFIX_PATH=" + Quote(prefix_.Path()));
  EXPECT_EQ(configure.exit_code, 0) << configure.output;
  CommandResult compile = RunCommand(std::string(BLOBGRAPH_CMAKE) + " --build " + Quote(build));
  EXPECT_EQ(compile.exit_code, 0) << compile.output;
  return build;
}

TEST_F(InstallTest, InternalArchivesAreNotInstalled) {
  ASSERT_NO_FATAL_FAILURE(Install());
  EXPECT_TRUE(fs::exists(Lib("libblobgraph_engine.a")));
  EXPECT_FALSE(fs::exists(Lib("libblobgraph_cli.a")));
  EXPECT_FALSE(fs::exists(Lib("libblobgraph_benchlib.a")));
  std::ifstream targets(Lib("cmake/blobgraph/blobgraphTargets.cmake"));
  std::stringstream text;
  text << targets.rdbuf();
  EXPECT_THAT(text.str(), ::testing::Not(HasSubstr("blobgraph_cli")));
  EXPECT_THAT(text.str(), ::testing::Not(HasSubstr("Boost")));
}

// A C-only project (no C++ compiler enabled, so none of the C++ layers'
// dependencies is looked for) builds the C example, which opens a store,
// imports a dependency list and predicts a recorded run.
TEST_F(InstallTest, CProjectFindsTheCLibraryAndPredicts) {
  ASSERT_NO_FATAL_FAILURE(Install());
  std::string build =
      BuildConsumer("c-consumer",
                    "cmake_minimum_required(VERSION 3.20)\n"
                    "project(consumer C)\n"
                    "find_package(blobgraph " BLOBGRAPH_PROJECT_VERSION
                    " CONFIG REQUIRED)\n"
                    "add_executable(replay " +
                        std::string(BLOBGRAPH_SOURCE_DIR) +
                        "/examples/c/replay.c)\n"
                        "target_link_libraries(replay PRIVATE blobgraph::blobgraph_c)\n"
                        "if(TARGET blobgraph::blobgraph_engine)\n"
                        "  message(FATAL_ERROR \"a C project got the C++ targets\")\n"
                        "endif()\n");
  ASSERT_FALSE(HasFailure());
  std::string test = GunzipSample(work_, "json", "test.bin");
  CommandResult run = RunCommand(
      BLOBGRAPH_CONSUMER_ENV + Quote(build + "/replay") + " --store " + Quote(work_.Path("store")) +
      " --deps " + Quote(SampleFile("json", "static.txt")) + " --test " + Quote(test));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto report = ParseReport(run.output);
  EXPECT_EQ(report["blobgraph"], BLOBGRAPH_PROJECT_VERSION);
  EXPECT_EQ(report["events"], "178984");
}

// A C++ project that enables only CXX and asks for C++17 builds the
// README's C++ quickstart against the C++ API: the package finds its own
// dependencies (Debian's Cap'n Proto config would want a C compiler) and
// raises the standard to the C++20 its headers need.
TEST_F(InstallTest, CxxProjectFindsTheEngineAndPredicts) {
  ASSERT_NO_FATAL_FAILURE(Install());
  std::string build =
      BuildConsumer("cxx-consumer",
                    "cmake_minimum_required(VERSION 3.20)\n"
                    "project(consumer CXX)\n"
                    "set(CMAKE_CXX_STANDARD 17)\n"
                    "find_package(blobgraph " BLOBGRAPH_PROJECT_VERSION
                    " CONFIG REQUIRED)\n"
                    "add_executable(quickstart " +
                        std::string(BLOBGRAPH_SOURCE_DIR) +
                        "/examples/cpp/quickstart.cc)\n"
                        "target_link_libraries(quickstart PRIVATE blobgraph::blobgraph_engine)\n");
  ASSERT_FALSE(HasFailure());
  CommandResult run = RunCommand(BLOBGRAPH_CONSUMER_ENV + Quote(build + "/quickstart") + " " +
                                 Quote(work_.Path("quickstart.db")));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, ::testing::ContainsRegex("parse +p=0\\.981 depth 1"));
  EXPECT_THAT(run.output, HasSubstr("start set: 3 functions, first main"));
}

}  // namespace
}  // namespace blobgraph::capi_test
