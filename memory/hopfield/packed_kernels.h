// engram/memory/hopfield/packed_kernels.h — the integer kernels of bit-packed Hebbian retrieval
// (packed.h), one variant per instruction-set level (core/simd.h), all bit for bit identical.
// Internal to memory/hopfield; declared here so the tests can run every level.
#pragma once

#include "core/simd.h"
#include "core/tensor.h"

#include <cstdint>
#include <vector>

namespace engram::hopfield::detail {

struct PackedKernels {
  SimdLevel level;
  // out[r] = popcount(rows[r] XOR v), r in [0, n). rows: [n x words] packed, v: [words].
  void (*xor_popcounts)(const std::uint64_t* rows, Index n, Index words, const std::uint64_t* v, std::int32_t* out);
  // h[i] += s2 (P - 2 popcount(cols[i] XOR cj)) for every row cols[i] ([n x words]).
  void (*add_column_products)(const std::uint64_t* cols, Index n, Index words, const std::uint64_t* cj,
                              std::int32_t s2, std::int32_t P, std::int32_t* h);
  // h[i] += sum_k s2_k (P - 2 ham[js[k]][i]) for i in [0, N), k in [0, f): the fields' change
  // from the f flips of units js[k], to +1 (s2_k = 2) for k < f_plus, to -1 (s2_k = -2) after;
  // ham: [N x N] uint8 Hamming distances of the pattern columns (C_ij = P - 2 ham_ij).
  void (*add_flip_rows)(const std::uint8_t* ham, Index N, const std::int32_t* js, int f_plus, int f, std::int32_t P,
                        std::int32_t* h);
  // Number of differing bits of two packed rows.
  Index (*hamming)(const std::uint64_t* a, const std::uint64_t* b, Index words);
  // h[r][i] = sum_k x_k,i m[r][k] - P s_r,i for r in [0, count): xp the int16 patterns in
  // pair_layout, m[r] [Pp] int16 overlaps, s[r] packed states, h[r] [N]. (At the avx512 level on a
  // CPU with AVX-512 VNNI, the multiply-adds are vpdpwssd.)
  void (*fields)(const std::int16_t* xp, Index N, Index Pp, std::int32_t P, const std::int16_t* const* m,
                 const std::uint64_t* const* s, std::int32_t* const* h, int count);
  // bits ([ceil(n/64)] words, padding 0): bit j set where the 32-bit value j of `values` has
  // its sign bit clear (int32 fields h_j >= 0, or float states +1); the sign of n values.
  void (*pack_signs)(const void* values, Index n, std::uint64_t* bits);
  // out[j] = +1.0f where bit j is set, -1.0f where clear, j in [0, n).
  void (*unpack_signs)(const std::uint64_t* bits, Index n, float* out);
};

// The patterns' layout of `fields`: xt ([N x Pp] int16, unit i's values x_0,i .. x_Pp-1,i, Pp
// even) as [Pp/2 x Np x 2], pairs (x_2k,i, x_2k+1,i) unit by unit, units zero padded to Np, a
// multiple of 32: a vector of 16 int32 lanes takes 16 units' pairs.
inline Index padded_units(Index N) { return (N + 31) / 32 * 32; }
std::vector<std::int16_t> pair_layout(const std::int16_t* xt, Index N, Index Pp);

const PackedKernels& packed_kernels(SimdLevel level);
inline const PackedKernels& packed_kernels() { return packed_kernels(simd_level()); }

}  // namespace engram::hopfield::detail
