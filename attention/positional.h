// engram/attention/positional.h — positional encodings for attention over sequences.
//
// sinusoidal_encoding<T>(n, d) -> [n x d], fixed (Vaswani et al. 2017, section 3.5):
//   PE(pos, 2i)   = sin(pos / 10000^(2i / d))
//   PE(pos, 2i+1) = cos(pos / 10000^(2i / d))      pos = 0 .. n-1, i = 0 .. ceil(d/2)-1
//   (an odd d ends with a sin column). Computed in double, then cast to T. Requires n >= 0, d >= 1.
//
// LearnedPositionalEncoding<T>(max_len, d, rng, stddev = 0.1): a learned [max_len x d] table
// (an Embedding of the positions 0 .. max_len-1; parameter "positions.table", N(0, stddev)).
//   forward(n) -> rows 0 .. n-1 of the table, [n x d]; differentiable in the table (the gradient
//   reaches rows 0 .. n-1 only). Requires 1 <= n <= max_len: otherwise std::invalid_argument
//   naming n and max_len. Const and thread-safe.
// Either encoding is added to the inputs: x + PE, x: [n x d].
#pragma once

#include "core/layers.h"
#include "core/module.h"

namespace engram::attention {

template <class T>
Mat<T> sinusoidal_encoding(Index n, Index d);

template <class T>
class LearnedPositionalEncoding : public Module<T> {
 public:
  LearnedPositionalEncoding(Index max_len, Index d, Rng& rng, double stddev = 0.1);

  Var<T> forward(Index n) const;
  Var<T> operator()(Index n) const { return forward(n); }

  Index max_len() const { return positions.table.rows(); }
  Index dim() const { return positions.table.cols(); }

  Embedding<T> positions;  // [max_len x d]
};

}  // namespace engram::attention
