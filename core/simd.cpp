#include "core/simd.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace engram {

const char* simd_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::portable: return "portable";
    case SimdLevel::avx2: return "avx2";
    case SimdLevel::avx512: return "avx512";
  }
  return "?";
}

std::optional<SimdLevel> parse_simd_level(const std::string& name) {
  for (auto l : {SimdLevel::portable, SimdLevel::avx2, SimdLevel::avx512})
    if (name == simd_name(l)) return l;
  return std::nullopt;
}

SimdLevel cpu_simd_level() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return SimdLevel::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2"))
    return SimdLevel::avx2;
#endif
  return SimdLevel::portable;
}

namespace {

SimdLevel env_cap() {
  const char* v = std::getenv("ENGRAM_SIMD");
  if (!v || !*v) return SimdLevel::avx512;
  if (auto l = parse_simd_level(v)) return *l;
  std::fprintf(stderr, "engram: ENGRAM_SIMD=%s is not one of portable, avx2, avx512; ignored\n", v);
  return SimdLevel::avx512;
}

std::atomic<int>& cap() {
  static std::atomic<int> c{static_cast<int>(env_cap())};
  return c;
}

}  // namespace

SimdLevel simd_level() {
  static const int cpu = static_cast<int>(cpu_simd_level());
  const int c = cap().load(std::memory_order_relaxed);
  return static_cast<SimdLevel>(c < cpu ? c : cpu);
}

SimdLevel set_simd_limit(SimdLevel limit) {
  return static_cast<SimdLevel>(cap().exchange(static_cast<int>(limit)));
}

}  // namespace engram
