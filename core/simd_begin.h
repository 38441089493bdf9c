// engram/core/simd_begin.h — opens one instruction-set level of a kernel file (core/simd.h).
// Before including, define ENGRAM_SIMD_LEVEL as 0 (portable, x86-64-v2), 1 (avx2, x86-64-v3)
// or 2 (avx512, x86-64-v4); core/simd_end.h closes it. In between, every function is compiled
// for that level, whatever the build's own -march, inside namespace ENGRAM_SIMD_NS
// (simd_portable, simd_avx2, simd_avx512), so the variants of one kernel never share a symbol.
// Code between them may call only builtins and functions defined between them: a function
// compiled for the build's flags is not inlined into a narrower level, and the linker could hand
// the narrow path a wide copy of an inline function (SIGILL on a narrower CPU).
// No include guard: included once per level.
#if !defined(ENGRAM_SIMD_LEVEL)
#error "define ENGRAM_SIMD_LEVEL (0, 1 or 2) before including core/simd_begin.h"
#endif
#if defined(ENGRAM_SIMD_NS)
#error "core/simd_begin.h: the previous level was not closed with core/simd_end.h"
#endif

#if ENGRAM_SIMD_LEVEL == 0
#define ENGRAM_SIMD_NS simd_portable
#elif ENGRAM_SIMD_LEVEL == 1
#define ENGRAM_SIMD_NS simd_avx2
#elif ENGRAM_SIMD_LEVEL == 2
#define ENGRAM_SIMD_NS simd_avx512
#else
#error "ENGRAM_SIMD_LEVEL must be 0, 1 or 2"
#endif

#if defined(__x86_64__) && defined(__clang__)
#if ENGRAM_SIMD_LEVEL == 0
#pragma clang attribute push(__attribute__((target("arch=x86-64-v2"))), apply_to = function)
#elif ENGRAM_SIMD_LEVEL == 1
#pragma clang attribute push(__attribute__((target("arch=x86-64-v3"))), apply_to = function)
#else
#pragma clang attribute push(__attribute__((target("arch=x86-64-v4"))), apply_to = function)
#endif
#elif defined(__x86_64__) && defined(__GNUC__)
#pragma GCC push_options
#if ENGRAM_SIMD_LEVEL == 0
#pragma GCC target("arch=x86-64-v2", "tune=generic")
#elif ENGRAM_SIMD_LEVEL == 1
#pragma GCC target("arch=x86-64-v3", "tune=generic")
#else
// 512-bit vectors: the tuning of some AVX-512 CPUs prefers 256 (measured in bench_hopfield)
#pragma GCC target("arch=x86-64-v4", "tune=generic", "prefer-vector-width=512")
#endif
#endif
