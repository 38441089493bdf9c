// The allocator of the build (cmake/allocator.cmake): with ENGRAM_MALLOC=tcmalloc, malloc in
// this process is tcmalloc's (the linker kept the library although no symbol names it);
// otherwise it is not. Either way memory handed between threads is freed correctly.
#include "core/allocator.h"
#include "core/parallel.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

TEST_CASE("malloc is the allocator the build chose, and allocator_name says which", "[core][allocator]") {
  const std::string file = engram::malloc_library();
  INFO("malloc comes from '" << file << "'");
  REQUIRE_FALSE(file.empty());
#if defined(ENGRAM_MALLOC_TCMALLOC)
  CHECK(file.find("tcmalloc") != std::string::npos);
  CHECK(engram::allocator_name() == "tcmalloc");
#else
  CHECK(file.find("tcmalloc") == std::string::npos);
  CHECK(engram::allocator_name() != "tcmalloc");
#endif
}

TEST_CASE("buffers allocated on pool threads and freed on the caller's keep their contents", "[core][allocator]") {
  engram::ThreadPool pool(2);
  std::vector<std::vector<int>> made(64);
  for (int round = 0; round < 20; ++round) {
    pool.parallel_for(64, [&](engram::Index i) {
      made[size_t(i)].assign(size_t(100 + 37 * i + round), int(i) * 1000 + round);
    });
    for (size_t i = 0; i < made.size(); ++i) {
      REQUIRE(made[i].size() == 100 + 37 * i + size_t(round));
      REQUIRE(made[i].front() == int(i) * 1000 + round);
      REQUIRE(made[i].back() == int(i) * 1000 + round);
    }
    for (auto& m : made) std::vector<int>().swap(m);  // freed here, on the caller's thread
  }
}
