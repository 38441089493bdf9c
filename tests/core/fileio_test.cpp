// core/fileio.h: atomic replacement, appends, and the fault injection the crash tests rely on.
#include "core/fileio.h"

#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <cerrno>
#include <filesystem>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

using namespace engram;
namespace fs = std::filesystem;

namespace {

// The fault plan is reset when the folder goes, so one test's faults never reach the next.
struct TempDir : engram::test::TempDir {
  TempDir() : engram::test::TempDir("engram-fileio") {}
  ~TempDir() { fileio::set_faults(""); }
};

}  // namespace

TEST_CASE("write_atomic replaces a file whole and read_file reads it back", "[fileio]") {
  TempDir t;
  fileio::write_atomic(t / "a.txt", "first");
  fileio::write_atomic(t / "a.txt", "second, longer");
  CHECK(fileio::read_file(t / "a.txt") == "second, longer");
  CHECK_FALSE(fs::exists(t / "a.txt.tmp"));
  CHECK_THROWS_WITH(fileio::read_file(t / "none"), Catch::Contains("none: reading failed: No such file"));
  CHECK_THROWS_WITH(fileio::write_atomic(t / "no/dir/x", "y"), Catch::Contains("no/dir/x") && Catch::Contains("No such file"));
}

TEST_CASE("a full or read-only disk fails the write and keeps the old file", "[fileio][faults]") {
  TempDir t;
  fileio::write_atomic(t / "ck", "old contents");
  for (const char* fault : {"enospc@1", "enospc@2", "erofs@1", "eio@2"}) {
    INFO(fault);
    fileio::set_faults(fault);
    try {
      fileio::write_atomic(t / "ck", "new contents that never land");
      FAIL("no error");
    } catch (const fileio::FileError& e) {
      CHECK(std::string(e.what()).find(t / "ck") == 0);
      CHECK((e.error_code() == ENOSPC || e.error_code() == EROFS || e.error_code() == EIO));
    }
    CHECK(fileio::read_file(t / "ck") == "old contents");
    CHECK_FALSE(fs::exists(t / "ck.tmp"));
  }
  fileio::set_faults("enospc@2");
  fileio::Appender log(t / "log");
  log.append("first record\n");
  CHECK_THROWS_WITH(log.append("second record\n"), Catch::Contains("log: append failed: No space left on device"));
  CHECK(fileio::read_file(t / "log").rfind("first record\n", 0) == 0);  // then a torn half line
}

TEST_CASE("write points are counted in order, kill@N ends the process at the N-th", "[fileio][faults]") {
  TempDir t;
  fileio::set_faults("");
  const auto before = fileio::fault_points();
  fileio::write_atomic(t / "a", "x");  // two points
  fileio::Appender(t / "b").append("y\n");  // one
  CHECK(fileio::fault_points() - before == 3);

  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    fileio::set_faults("kill@2");
    fileio::write_atomic(t / "c", "0123456789");  // killed after the data, before the rename
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  CHECK_FALSE(fs::exists(t / "c"));                          // never half a file
  CHECK(fileio::read_file(t / "c.tmp") == "0123456789");     // the stray temporary, ignored
}

TEST_CASE("fault specs are checked", "[fileio][faults]") {
  CHECK_THROWS_WITH(fileio::set_faults("boom@3"), Catch::Contains("unknown fault 'boom'"));
  CHECK_THROWS_WITH(fileio::set_faults("kill@0"), Catch::Contains("must be a number >= 1"));
  CHECK_THROWS_WITH(fileio::set_faults("kill"), Catch::Contains("<fault>@<n>"));
  fileio::set_faults("kill@3,enospc@9");
  fileio::set_faults("");
}
