// engram/core/thin_gemm.h — float products whose result is thin (d = 16 or 32 columns)
// and whose other factor is large: attention's weights times values, and its gradients.
//
// Eigen's GEMM packs both factors into its panel layout before it multiplies. When the result
// has only d columns, each element of the large factor takes part in just d multiply-adds, so
// packing it (a full read and write of, say, a [T x T] weight matrix) costs a large share of the
// product: a quarter of attention's forward+backward at T 256 (perf). These kernels stream the
// large factor once instead, its rows in place, keeping R rows of the d-wide result (or of the
// small factor) in vector registers: per element of the large factor, one broadcast and d / L
// vector multiply-adds (L = 16 floats a register at AVX-512, 8 at AVX2).
//
// One variant per instruction-set level (core/simd.h); all compute the same sums in the same
// order (within rounding of fused against separate multiply-add). Internal to core; declared
// here so the tests can run every level.
#pragma once

#include "core/simd.h"
#include "core/tensor.h"

namespace engram::detail {

// Row-major operands; ld* are the row strides (in floats).
struct ThinGemmKernels {
  SimdLevel level;
  // C[m x d] += A[m x n] B[n x d]
  void (*nn)(const float* A, Index lda, const float* B, Index ldb, float* C, Index ldc, Index m, Index n, Index d);
  // C[n x d] += A[m x n]^T B[m x d]
  void (*tn)(const float* A, Index lda, const float* B, Index ldb, float* C, Index ldc, Index m, Index n, Index d);
};

const ThinGemmKernels& thin_gemm_kernels(SimdLevel level);

// Whether the kernels serve a result of d columns whose large factor is [m x n] at the level
// simd_level() picks: the large factor at least 32 x 32, and d 16 at the AVX2 and AVX-512
// levels, d 32 at AVX-512 only; everything else stays with Eigen. Measured (bench_core
// BM_Thin_*, Eigen's time over the kernel's, T 256 / 1024): native AVX-512 build, d 16 A B
// 1.2 / 1.5x, A^T B 1.9 / 2.8x; d 32 1.2 / 1.3x, 1.3 / 1.8x; d 64 0.7x and 0.5x (slower). An
// x86-64-v3 build with the kernels capped at AVX2 (ENGRAM_SIMD=avx2): d 16 1.3 / 1.5x, 1.5 / 2.6x;
// d 32 1.0 / 0.9x, 1.0 / 1.1x (no gain). The portable level was not measured against an SSE
// Eigen, so it keeps Eigen.
bool thin_gemm_applies(Index m, Index n, Index d);

// C += A B and C += A^T B at the level simd_level() picks, for Eigen row-major float blocks
// (contiguous rows); the caller checks thin_gemm_applies.
template <class MA, class MB, class MC>
void thin_gemm_nn(const MA& A, const MB& B, MC&& C) {
  thin_gemm_kernels(simd_level()).nn(A.data(), A.outerStride(), B.data(), B.outerStride(), C.data(),
                                     C.outerStride(), A.rows(), A.cols(), B.cols());
}
template <class MA, class MB, class MC>
void thin_gemm_tn(const MA& A, const MB& B, MC&& C) {
  thin_gemm_kernels(simd_level()).tn(A.data(), A.outerStride(), B.data(), B.outerStride(), C.data(),
                                     C.outerStride(), A.rows(), A.cols(), B.cols());
}

}  // namespace engram::detail
