// engram/core/simd_end.h — closes the level opened by core/simd_begin.h.
#if defined(__x86_64__) && defined(__clang__)
#pragma clang attribute pop
#elif defined(__x86_64__) && defined(__GNUC__)
#pragma GCC pop_options
#endif
#undef ENGRAM_SIMD_NS
#undef ENGRAM_SIMD_LEVEL
