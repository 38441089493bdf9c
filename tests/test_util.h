// engram/tests/test_util.h — what the test suites share: a self-removing temporary folder,
// reading a file whole, and the instruction-set levels a kernel test runs. Randomness in tests always comes from a seeded engram::Rng
// (random_matrix in core/gradcheck.h), never from Eigen's unseeded Random().
#pragma once

#include "core/simd.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace engram::test {

// A fresh folder under the system temp dir, removed with everything in it at scope exit.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& prefix = "engram-test") {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // path/name as a string.
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::string operator/(const std::string& name) const { return file(name); }
  // Writes `text` to path/name (creating sub-folders) and returns that path.
  std::string write(const std::string& name, const std::string& text) const {
    const std::filesystem::path p = path / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    return p.string();
  }
};

// The whole file as a string (empty if it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The instruction-set levels this CPU can run (core/simd.h), portable first.
inline std::vector<SimdLevel> runnable_levels() {
  std::vector<SimdLevel> out;
  for (auto l : {SimdLevel::portable, SimdLevel::avx2, SimdLevel::avx512})
    if (static_cast<int>(l) <= static_cast<int>(cpu_simd_level())) out.push_back(l);
  return out;
}

// Caps the level kernels use for the rest of a scope.
struct SimdCap {
  explicit SimdCap(SimdLevel l) : previous(set_simd_limit(l)) {}
  ~SimdCap() { set_simd_limit(previous); }
  SimdCap(const SimdCap&) = delete;
  SimdCap& operator=(const SimdCap&) = delete;
  SimdLevel previous;
};

}  // namespace engram::test
