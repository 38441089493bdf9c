#include "attention/transformer.h"

namespace engram::attention {

namespace {
Index head_dim(Index d_model, Index heads) {
  require_lazy(heads > 0 && d_model > 0 && d_model % heads == 0, "TransformerEncoderBlock", [&] {
    return "d_model=" + std::to_string(d_model) + " must be a positive multiple of heads=" + std::to_string(heads);
  });
  return d_model / heads;
}
}  // namespace

template <class T>
TransformerEncoderBlock<T>::TransformerEncoderBlock(Index d_model, Index heads, Index d_ff, double dropout,
                                                    LayerNormPlacement placement, Rng& rng)
    : attn(d_model, heads, head_dim(d_model, heads), head_dim(d_model, heads), rng),
      norm1(d_model),
      ff1(d_model, d_ff, rng),
      ff2(d_ff, d_model, rng),
      norm2(d_model),
      dropout_(dropout),
      placement_(placement) {
  require_lazy(dropout >= 0 && dropout < 1, "TransformerEncoderBlock", [&] {
    return "dropout must be in [0, 1), got " + num_str(dropout);
  });
  this->add_module("attn", attn);
  this->add_module("norm1", norm1);
  this->add_module("ff1", ff1);
  this->add_module("ff2", ff2);
  this->add_module("norm2", norm2);
}

template <class T>
Var<T> TransformerEncoderBlock<T>::ffn(const Var<T>& x) const {
  return ff2(relu(ff1(x)));  // [n x d_model] -> [n x d_ff] -> [n x d_model]
}

template <class T>
MultiHeadResult<T> TransformerEncoderBlock<T>::forward(const Var<T>& x, const Mat<T>* mask, bool training,
                                                       Rng* rng) const {
  require_lazy(x.rows() >= 1 && x.cols() == attn.d_model(), "TransformerEncoderBlock", [&] {
    return "x " + x.shape() + " does not fit [n x " + std::to_string(attn.d_model()) + "], n >= 1";
  });
  const bool drop = training && dropout_ > 0;
  require_lazy(!drop || rng, "TransformerEncoderBlock", [&] {
    return "training with dropout " + num_str(dropout_) + " needs an rng";
  });
  const auto sublayer_dropout = [&](const Var<T>& y) {  // [n x d_model] -> [n x d_model]
    return drop ? engram::dropout(y, T(dropout_), true, *rng) : y;
  };
  MultiHeadResult<T> r;
  if (placement_ == LayerNormPlacement::Post) {
    MultiHeadResult<T> a = attn(x, x, x, mask);                        // [n x d_model], heads x [n x n]
    const Var<T> h = norm1(add(x, sublayer_dropout(a.output)));        // [n x d_model]
    r.output = norm2(add(h, sublayer_dropout(ffn(h))));                // [n x d_model]
    r.weights = std::move(a.weights);
  } else {
    const Var<T> xn = norm1(x);                                        // [n x d_model]
    MultiHeadResult<T> a = attn(xn, xn, xn, mask);                     // [n x d_model], heads x [n x n]
    const Var<T> h = add(x, sublayer_dropout(a.output));               // [n x d_model]
    r.output = add(h, sublayer_dropout(ffn(norm2(h))));                // [n x d_model]
    r.weights = std::move(a.weights);
  }
  return r;
}

template class TransformerEncoderBlock<float>;
template class TransformerEncoderBlock<double>;

}  // namespace engram::attention
