// engram/attention/multi_head.h — multi-head scaled dot-product attention (Vaswani et al. 2017)
// and self-attention with padding and causal masks.
//
//   Q: [m x d_model] queries, K: [n x d_model] keys, V: [n x d_model] values
//   for each head h = 0 .. heads-1:
//     Q_h = Q W_q^h                               [m x d_k]
//     K_h = K W_k^h                               [n x d_k]
//     V_h = V W_v^h                               [n x d_v]
//     A_h = softmax(Q_h K_h^T / sqrt(d_k))        [m x n]   (masked positions: exactly 0)
//     H_h = A_h V_h                               [m x d_v]
//   out = [H_0 | H_1 | ... | H_{heads-1}] W_o     [m x heads*d_v] [heads*d_v x d_model] -> [m x d_model]
//
// CONTRACT of MultiHeadAttention<T>::forward(q, k, v, mask, training, rng):
//   requires  q: [m x d_model], k and v: [n x d_model] with the same n, m, n >= 1;
//             mask null, [1 x n] (padding: the same masked keys for every query) or [m x n]
//             (e.g. causal_mask(n) for self-attention); non-zero = masked; no row may mask
//             every key. rng non-null when training with dropout p > 0.
//   ensures   output: [m x d_model]; weights: one [m x n] matrix per head, the softmax output
//             before attention dropout, each row >= 0 summing to 1, exactly 0.0 where masked.
//             Differentiable in q, k, v and every parameter (Jacobian-checked in double).
//             Every argument error throws std::invalid_argument naming the shapes.
//   const and thread-safe: the training flag is passed per call (the Module's training() flag
//   is not read), so one module may serve training and evaluation threads at once.
//
// Parameters (in registration order, Xavier-uniform, no biases, as in the paper's formula):
//   head<h>.w_q [d_model x d_k], head<h>.w_k [d_model x d_k], head<h>.w_v [d_model x d_v] for
//   each head, then w_o [heads*d_v x d_model].
//
// Dropout p (default 0) is applied to each head's attention weights in training, as in the
// reference implementation of the paper; the returned weights are the ones before dropout.
#pragma once

#include "core/layers.h"
#include "core/module.h"
#include "core/ops.h"
#include "core/rng.h"

#include <type_traits>
#include <vector>

namespace engram::attention {

template <class T>
struct MultiHeadResult {
  Var<T> output;                // [m x d_model]
  std::vector<Var<T>> weights;  // heads x [m x n]
};

template <class T>
class MultiHeadAttention : public Module<T> {
 public:
  MultiHeadAttention(Index d_model, Index heads, Index d_k, Index d_v, Rng& rng, double dropout = 0.0);

  MultiHeadResult<T> forward(const Var<T>& q, const Var<T>& k, const Var<T>& v, const Mat<T>* mask = nullptr,
                             bool training = false, Rng* rng = nullptr) const;
  MultiHeadResult<T> operator()(const Var<T>& q, const Var<T>& k, const Var<T>& v, const Mat<T>* mask = nullptr,
                                bool training = false, Rng* rng = nullptr) const {
    return forward(q, k, v, mask, training, rng);
  }

  Index d_model() const { return d_model_; }
  Index heads() const { return heads_; }
  Index d_k() const { return d_k_; }
  Index d_v() const { return d_v_; }
  double dropout() const { return dropout_; }

  std::vector<Var<T>> w_q, w_k, w_v;  // one per head
  Var<T> w_o;

 private:
  Index d_model_, heads_, d_k_, d_v_;
  double dropout_;
};

// [n x n], 1 strictly above the diagonal: query i may attend to keys j <= i only.
template <class T>
Mat<T> causal_mask(Index n);

// Self-attention: mha(x, x, x) with an optional padding mask and/or the causal mask.
//   x: [n x d_model]; padding: null or [1 x n] (non-zero = padded key); causal: add causal_mask(n).
//   -> output [n x d_model], weights heads x [n x n].
// With both masks, a padded query row still attends to the unpadded keys at or before it, so
// padding must not cover position 0 when causal (that row would have no key left: an error).
template <class T>
MultiHeadResult<T> self_attention(const MultiHeadAttention<T>& mha, const Var<T>& x,
                                  const std::type_identity_t<Mat<T>>* padding = nullptr,
                                  bool causal = false, bool training = false, Rng* rng = nullptr);

}  // namespace engram::attention
