// engram/memory/hopfield/patterns.h — the shared vocabulary of the Hopfield code.
//
// Binary states are +-1 values held as float (so the dense path is one GEMM). A pattern set is
// a P x N row-major matrix, one pattern per row; a batch of probes is likewise B x N.
// Continuous (modern) memories use the same layout with real values.
#pragma once

#include "core/rng.h"
#include "core/tensor.h"

namespace engram::hopfield {

using States = MatF;  // P x N (or B x N), one state per row

// P random +-1 patterns of dimension N; each bit is +1 with probability (1 + bias) / 2.
States random_patterns(Index P, Index N, Rng& rng, double bias = 0.0);

// A copy of `x` with exactly round(fraction * N) distinct bits flipped in every row
// (positions drawn independently per row). fraction in [0, 1].
States flip_bits(const States& x, double fraction, Rng& rng);

// Overlaps m = (1/N) x . s of every row of `x` with every row of `s`: [rows(x) x rows(s)].
MatF overlaps(const States& x, const States& s);

// sign with sign(0) = +1 (the convention of every binary update in engram), elementwise.
States sign(const MatF& h);

// True if every entry is exactly +1 or -1; otherwise throws std::invalid_argument naming
// `where`, the offending row and column.
void require_binary(const States& x, const char* where);
// Whether v[0, n) are all +1 or -1 (NaN is not): the vectorised test require_binary runs first.
bool all_binary(const float* v, Index n);

}  // namespace engram::hopfield
