// engram/core/simd.h — instruction-set levels for engram's hand-written kernels, picked at run
// time from what the CPU supports, so one binary (a portable build included) runs each kernel at
// the machine's full width on AVX2 and AVX-512 machines alike.
//
// A kernel file compiles its kernels once per level (core/simd_levels.h, GCC and Clang target
// pragmas; the body may use only builtins and code defined inside the level) and calls the
// variant of simd_level() through a table. Every variant computes the same numbers: integer
// kernels bit for bit, float kernels within rounding (tests run each level the CPU has against
// the portable one).
//
// The level can be capped, to measure or debug the narrower paths on a wide machine:
//   ENGRAM_SIMD=portable|avx2|avx512 in the environment, or set_simd_limit() in code.
#pragma once

#include <optional>
#include <string>

namespace engram {

enum class SimdLevel : int {
  portable = 0,  // x86-64-v2: SSE4.2, POPCNT (every x86-64 machine of the last decade)
  avx2 = 1,      // x86-64-v3: AVX2, FMA, BMI2
  avx512 = 2,    // x86-64-v4: AVX-512 F/BW/DQ/VL
};

const char* simd_name(SimdLevel level);                    // "portable", "avx2", "avx512"
std::optional<SimdLevel> parse_simd_level(const std::string& name);
SimdLevel cpu_simd_level();  // the widest level this CPU supports (portable off x86-64)
// The level kernels use: the CPU's, capped by ENGRAM_SIMD (read once; an unknown value is an
// error on stderr and is ignored) and by set_simd_limit.
SimdLevel simd_level();
// Caps the level kernels use (tests, benchmarks); returns the previous cap. Not for use while
// kernels run on other threads.
SimdLevel set_simd_limit(SimdLevel cap);

}  // namespace engram
