#include "memory/hopfield/packed_kernels.h"

// one variant per level (core/simd_begin.h)
#define ENGRAM_SIMD_LEVEL 0
#include "core/simd_begin.h"
#include "memory/hopfield/packed_kernels.inc"
#include "core/simd_end.h"

#define ENGRAM_SIMD_LEVEL 1
#include "core/simd_begin.h"
#include "memory/hopfield/packed_kernels.inc"
#include "core/simd_end.h"

#define ENGRAM_SIMD_LEVEL 2
#include "core/simd_begin.h"
#include "memory/hopfield/packed_kernels.inc"
#include "core/simd_end.h"

namespace engram::hopfield::detail {

namespace {
#define ENGRAM_PACKED_TABLE(ns, level) \
  PackedKernels{level, ns::xor_popcounts, ns::add_column_products, ns::hamming, ns::fields}
const PackedKernels kTables[] = {ENGRAM_PACKED_TABLE(simd_portable, SimdLevel::portable),
                                 ENGRAM_PACKED_TABLE(simd_avx2, SimdLevel::avx2),
                                 ENGRAM_PACKED_TABLE(simd_avx512, SimdLevel::avx512)};
#undef ENGRAM_PACKED_TABLE
}  // namespace

const PackedKernels& packed_kernels(SimdLevel level) { return kTables[static_cast<int>(level)]; }

}  // namespace engram::hopfield::detail
