// engram/core/layers.h — the basic modules every later layer is built from.
#pragma once

#include "core/module.h"
#include "core/ops.h"
#include "core/rng.h"

namespace engram {

// y = x W + b.  x: [n x in]  W: [in x out]  b: [1 x out]  -> [n x out]
// W is Xavier-uniform, b zero.
template <class T>
class Linear : public Module<T> {
 public:
  Linear(Index in, Index out, Rng& rng, bool bias = true);
  Var<T> operator()(const Var<T>& x) const;
  Index in_features() const { return weight.rows(); }
  Index out_features() const { return weight.cols(); }
  Var<T> weight, bias;  // bias undefined when disabled
};

// Rows of a [vocab x dim] table, N(0, stddev) initialised (MemN2N uses 0.1).
template <class T>
class Embedding : public Module<T> {
 public:
  Embedding(Index vocab, Index dim, Rng& rng, double stddev = 0.1);
  // ids: n ids -> [n x dim]
  Var<T> operator()(const std::vector<int>& ids) const { return gather_rows(table, ids); }
  Var<T> table;
};

// Per-row layer normalization with learned gain (ones) and bias (zeros).
template <class T>
class LayerNorm : public Module<T> {
 public:
  explicit LayerNorm(Index dim, T eps = T(1e-5));
  Var<T> operator()(const Var<T>& x) const { return layer_norm(x, gain, bias, eps_); }
  Var<T> gain, bias;
 private:
  T eps_;
};

}  // namespace engram
