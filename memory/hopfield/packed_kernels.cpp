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

// The fields kernel and the popcounts once more for Ice Lake's AVX-512 extensions: VNNI
// (vpdpwssd fuses the multiply-add and the add of the avx512 level's pmaddwd) and VPOPCNTDQ
// (vpopcntq). Used at the avx512 level when the CPU has both; the same integers.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ENGRAM_HAVE_VNNI_KERNEL 1
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("arch=x86-64-v4,avx512vnni,avx512vpopcntdq"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("arch=x86-64-v4", "avx512vnni", "avx512vpopcntdq", "prefer-vector-width=512")
#endif
namespace engram::hopfield::simd_avx512vnni {
constexpr Index kLanes = 16;
constexpr int kBlockProbes = 8;
#if defined(__clang__)
#define ENGRAM_VMADD(acc, x, b) __builtin_ia32_vpdpwssd512(acc, x, b)
#else
#define ENGRAM_VMADD(acc, x, b) __builtin_ia32_vpdpwssd_v16si(acc, x, b)
#endif
#include "memory/hopfield/packed_fields.inc"
#include "memory/hopfield/packed_popcount.inc"
}  // namespace engram::hopfield::simd_avx512vnni
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

namespace engram::hopfield::detail {

namespace {

#if defined(ENGRAM_HAVE_VNNI_KERNEL)
bool cpu_has_vnni() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vpopcntdq");
}
#endif

#define ENGRAM_PACKED_TABLE(ns, level) \
  PackedKernels{level, ns::xor_popcounts, ns::add_column_products, ns::add_flip_rows, ns::hamming, ns::fields, \
              ns::pack_signs, ns::unpack_signs}

PackedKernels avx512_table() {
  PackedKernels k = ENGRAM_PACKED_TABLE(simd_avx512, SimdLevel::avx512);
#if defined(ENGRAM_HAVE_VNNI_KERNEL)
  if (cpu_has_vnni()) {
    k.fields = simd_avx512vnni::fields;
    k.xor_popcounts = simd_avx512vnni::xor_popcounts;
  }
#endif
  return k;
}

const PackedKernels kTables[] = {ENGRAM_PACKED_TABLE(simd_portable, SimdLevel::portable),
                                 ENGRAM_PACKED_TABLE(simd_avx2, SimdLevel::avx2), avx512_table()};
#undef ENGRAM_PACKED_TABLE

}  // namespace

const PackedKernels& packed_kernels(SimdLevel level) { return kTables[static_cast<int>(level)]; }

std::vector<std::int16_t> pair_layout(const std::int16_t* xt, Index N, Index Pp) {
  const Index Np = padded_units(N);
  std::vector<std::int16_t> xp(static_cast<size_t>(Pp * Np), 0);
  for (Index i = 0; i < N; ++i)
    for (Index k = 0; k < Pp; ++k) xp[static_cast<size_t>(((k / 2) * Np + i) * 2 + (k % 2))] = xt[i * Pp + k];
  return xp;
}

}  // namespace engram::hopfield::detail
