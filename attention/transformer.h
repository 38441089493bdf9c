// engram/attention/transformer.h — one Transformer encoder block (Vaswani et al. 2017), with
// the layer norm after the residual add (Post, the paper) or before the sublayer (Pre, Xiong et
// al. 2020).
//
//   X: [n x d_model]; MHA = MultiHeadAttention(d_model, heads, d_k = d_v = d_model / heads);
//   FFN(x) = relu(x W_1 + b_1) W_2 + b_2,  W_1: [d_model x d_ff], W_2: [d_ff x d_model]
//   Post:  x = LN_1(x + Drop(MHA(x, x, x)));   x = LN_2(x + Drop(FFN(x)))
//   Pre:   x = x + Drop(MHA(LN_1(x)));          x = x + Drop(FFN(LN_2(x)))
// Drop is inverted dropout with probability `dropout` on each sublayer's output (the residual
// dropout of the paper); the attention weights themselves are not dropped. A Pre stack usually
// ends with one more LayerNorm after its last block; that belongs to the stack, not the block.
//
// CONTRACT of forward(x, mask, training, rng):
//   requires  x: [n x d_model], n >= 1; mask null, [1 x n] (padding: non-zero = padded key) or
//             [n x n] (e.g. causal_mask(n)), leaving every query at least one key; rng non-null
//             when training with dropout > 0 (both dropouts draw from it, attention first).
//   ensures   output [n x d_model]; weights: heads x [n x n] attention weights (exactly 0 at
//             masked keys); differentiable in x and every parameter. Bad shapes throw
//             std::invalid_argument naming them. Const and thread-safe (training is per call).
// Parameters: attn.* (see multi_head.h), norm1.{gain,bias}, ff1.{weight,bias}, ff2.{weight,bias},
// norm2.{gain,bias}.
#pragma once

#include "attention/multi_head.h"
#include "core/layers.h"

namespace engram::attention {

enum class LayerNormPlacement { Post, Pre };

template <class T>
class TransformerEncoderBlock : public Module<T> {
 public:
  // d_model must be divisible by heads.
  TransformerEncoderBlock(Index d_model, Index heads, Index d_ff, double dropout, LayerNormPlacement placement,
                          Rng& rng);

  MultiHeadResult<T> forward(const Var<T>& x, const Mat<T>* mask = nullptr, bool training = false,
                             Rng* rng = nullptr) const;
  MultiHeadResult<T> operator()(const Var<T>& x, const Mat<T>* mask = nullptr, bool training = false,
                                Rng* rng = nullptr) const {
    return forward(x, mask, training, rng);
  }

  LayerNormPlacement placement() const { return placement_; }
  double dropout() const { return dropout_; }

  MultiHeadAttention<T> attn;
  LayerNorm<T> norm1;
  Linear<T> ff1;  // d_model -> d_ff
  Linear<T> ff2;  // d_ff -> d_model
  LayerNorm<T> norm2;

 private:
  Var<T> ffn(const Var<T>& x) const;
  double dropout_;
  LayerNormPlacement placement_;
};

}  // namespace engram::attention
