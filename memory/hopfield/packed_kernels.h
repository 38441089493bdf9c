// engram/memory/hopfield/packed_kernels.h — the integer kernels of bit-packed Hebbian retrieval
// (packed.h), one variant per instruction-set level (core/simd.h), all bit for bit identical.
// Internal to memory/hopfield; declared here so the tests can run every level.
#pragma once

#include "core/simd.h"
#include "core/tensor.h"

#include <cstdint>

namespace engram::hopfield::detail {

struct PackedKernels {
  SimdLevel level;
  // out[r] = popcount(rows[r] XOR v), r in [0, n). rows: [n x words] packed, v: [words].
  void (*xor_popcounts)(const std::uint64_t* rows, Index n, Index words, const std::uint64_t* v, std::int32_t* out);
  // h[i] += s2 (P - 2 popcount(cols[i] XOR cj)) for every row cols[i] ([n x words]).
  void (*add_column_products)(const std::uint64_t* cols, Index n, Index words, const std::uint64_t* cj,
                              std::int32_t s2, std::int32_t P, std::int32_t* h);
  // Number of differing bits of two packed rows.
  Index (*hamming)(const std::uint64_t* a, const std::uint64_t* b, Index words);
  // h[r][i] = sum_k xt[i][k] m[r][k] - P s_r,i for r in [0, count): xt [N x Pp] int16 pattern
  // columns (zero padded), m[r] [Pp] int16 overlaps, s[r] packed states, h[r] [N].
  void (*fields)(const std::int16_t* xt, Index N, Index Pp, std::int32_t P, const std::int16_t* const* m,
                 const std::uint64_t* const* s, std::int32_t* const* h, int count);
};

const PackedKernels& packed_kernels(SimdLevel level);
inline const PackedKernels& packed_kernels() { return packed_kernels(simd_level()); }

}  // namespace engram::hopfield::detail
