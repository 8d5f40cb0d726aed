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

// Every function blobgraph.h declares.
std::set<std::string> DeclaredFunctions() {
  std::ifstream header(std::string(BLOBGRAPH_SOURCE_DIR) + "/include/blobgraph/blobgraph.h");
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
    CommandResult install = RunCommand(std::string(BLOBGRAPH_CMAKE) + " --install " +
                                Quote(BLOBGRAPH_BINARY_DIR) + " --prefix " + Quote(prefix_.Path()));
    ASSERT_EQ(install.exit_code, 0) << install.output;
  }
  std::string Lib(const std::string& name) const {
    return prefix_.Path(std::string(BLOBGRAPH_INSTALL_LIBDIR) + "/" + name);
  }
  TempDir prefix_, work_;
};

TEST_F(InstallTest, CProgramBuildsWithPkgConfigAndRuns) {
  ASSERT_NO_FATAL_FAILURE(Install());
  EXPECT_TRUE(fs::exists(prefix_.Path("include/blobgraph/blobgraph.h")));
  EXPECT_TRUE(fs::is_symlink(Lib("libblobgraph.so")));
  EXPECT_TRUE(fs::exists(Lib("libblobgraph.so.0")));
  std::string pkg = "PKG_CONFIG_PATH=" + Quote(Lib("pkgconfig")) + " ";
  CommandResult version = RunCommand(pkg + "pkg-config --modversion blobgraph");
  EXPECT_EQ(version.output, std::string(BLOBGRAPH_PROJECT_VERSION) + "\n");

  std::string program = work_.Path("replay");
  CommandResult compile =
      RunCommand(pkg + "sh -c " + Quote("cc -std=c11 -Wall -Werror " +
                                 Quote(std::string(BLOBGRAPH_SOURCE_DIR) + "/examples/c/replay.c") +
                                 " -o " + Quote(program) + " $(pkg-config --cflags --libs blobgraph)"));
  ASSERT_EQ(compile.exit_code, 0) << compile.output;
  // It runs against the installed library, not the build tree's.
  CommandResult ldd = RunCommand("LD_LIBRARY_PATH=" + Quote(Lib("")) + " ldd " + Quote(program));
  EXPECT_THAT(ldd.output, HasSubstr(Lib("libblobgraph.so.0")));
  std::string test = GunzipSample(work_, "json", "test.bin");
  CommandResult run = RunCommand(BLOBGRAPH_CONSUMER_ENV "LD_LIBRARY_PATH=" + Quote(Lib("")) + " " + Quote(program) + " --store " +
                          Quote(work_.Path("store")) + " --deps " +
                          Quote(SampleFile("json", "static.txt")) + " --test " + Quote(test));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto report = ParseReport(run.output);
  EXPECT_EQ(report["blobgraph"], BLOBGRAPH_PROJECT_VERSION);
  EXPECT_EQ(report["events"], "178984");
}

TEST_F(InstallTest, CMakeProjectFindsThePackage) {
  ASSERT_NO_FATAL_FAILURE(Install());
  fs::path project = work_.Path("consumer");
  fs::create_directories(project);
  std::ofstream(project / "CMakeLists.txt")
      << "cmake_minimum_required(VERSION 3.20)\n"
         "project(consumer C CXX)\n"
         "find_package(blobgraph " BLOBGRAPH_PROJECT_VERSION " CONFIG REQUIRED)\n"
         "add_executable(app app.c)\n"
         "target_link_libraries(app PRIVATE blobgraph::blobgraph_c)\n";
  std::ofstream(project / "app.c")
      << "#include <blobgraph/blobgraph.h>\n#include <stdio.h>\n#include <string.h>\n"
         "int main(void) {\n"
         "  blobgraph_store* store = NULL;\n"
         "  if (blobgraph_store_close(store) != BLOBGRAPH_CLOSED_HANDLE) return 1;\n"
         "  printf(\"%s\\n\", blobgraph_version());\n"
         "  return strcmp(blobgraph_version(), BLOBGRAPH_VERSION_STRING) != 0;\n"
         "}\n";
  std::string build = work_.Path("consumer-build");
  CommandResult configure = RunCommand(std::string(BLOBGRAPH_CMAKE) + " -S " + Quote(project.string()) +
                                " -B " + Quote(build) + " -DCMAKE_PREFIX_PATH=" + Quote(prefix_.Path()));
  ASSERT_EQ(configure.exit_code, 0) << configure.output;
  CommandResult compile = RunCommand(std::string(BLOBGRAPH_CMAKE) + " --build " + Quote(build));
  ASSERT_EQ(compile.exit_code, 0) << compile.output;
  CommandResult run = RunCommand(BLOBGRAPH_CONSUMER_ENV + Quote(build + "/app"));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, std::string(BLOBGRAPH_PROJECT_VERSION) + "\n");
}

}  // namespace
}  // namespace blobgraph::capi_test
