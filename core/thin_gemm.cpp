#include "core/thin_gemm.h"

#include <type_traits>

// one variant per level (core/simd_begin.h)
#define ENGRAM_SIMD_LEVEL 0
#include "core/simd_begin.h"
#include "core/thin_gemm.inc"
#include "core/simd_end.h"

#define ENGRAM_SIMD_LEVEL 1
#include "core/simd_begin.h"
#include "core/thin_gemm.inc"
#include "core/simd_end.h"

#define ENGRAM_SIMD_LEVEL 2
#include "core/simd_begin.h"
#include "core/thin_gemm.inc"
#include "core/simd_end.h"

namespace engram::detail {

namespace {
const ThinGemmKernels kTables[] = {{SimdLevel::portable, simd_portable::nn, simd_portable::tn},
                                   {SimdLevel::avx2, simd_avx2::nn, simd_avx2::tn},
                                   {SimdLevel::avx512, simd_avx512::nn, simd_avx512::tn}};
}  // namespace

const ThinGemmKernels& thin_gemm_kernels(SimdLevel level) { return kTables[static_cast<int>(level)]; }

bool thin_gemm_applies(Index m, Index n, Index d) {
  if (m < 32 || n < 32) return false;
  const SimdLevel level = simd_level();
  return (d == 16 && level >= SimdLevel::avx2) || (d == 32 && level == SimdLevel::avx512);
}

}  // namespace engram::detail
